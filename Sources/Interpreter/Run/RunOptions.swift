/// How a run behaves.
public struct RunOptions: Sendable {
    /// Plan every op and show what would change; change nothing.
    public var checkMode = false
    /// Keep `FILE.crucible~` backups unless an op says `backup: false`.
    public var backups = true
    /// How many hosts of an `on` block run at once.
    public var forks = 32
    /// On a host where an op fails, put back every file this run changed there.
    public var rollbackOnFailure = false
    /// Take each host's lock (HostLock) for the run; never in check mode, which changes nothing.
    public var lockHosts = true
    /// Wait while another run holds a host's lock (up to `lockTimeout` seconds), or fail that host at once.
    public var waitForLock = true
    public var lockTimeout: Double = 600
    public var lockPath = HostLock.defaultPath
    /// Seconds after which the lock of a run that stopped keeping it counts as abandoned.
    public var lockStaleAfter = 60
    /// `--limit`: the hosts `on` blocks run on, by name (display name, alias, address or
    /// `user@address:port` as the recipe gives it); nil: every host. Facts of the other
    /// hosts are still read where the recipe asks for them, without taking their lock.
    public var limit: Set<String>?

    /// Whether `--limit` leaves the host out.
    public func isLimitedOut(_ target: HostTarget) -> Bool {
        guard let limit else { return false }
        return limit.isDisjoint(with: [target.name, target.address, target.description])
    }

    /// What happens to the recipe's `verify on` blocks (and its plain `on` blocks).
    public var verify = VerifyMode.afterChanges

    /// `verify on` blocks check the live system, so they follow the changes; `--check`
    /// changes nothing and skips them whatever this says.
    public enum VerifyMode: Sendable {
        /// Run everything in order (the default).
        case afterChanges
        /// `--no-verify`: skip the verify blocks.
        case skip
        /// `--verify-only`: skip the blocks that change hosts; preflight and verify run.
        case only
    }
    /// `--command-timeout`: seconds a recipe's own command (`run`, its `unless`, `probe`) may
    /// run when its op gives no `timeout:`; nil: no limit.
    public var commandTimeout: Int?
    /// How long strings and lists may grow, how many loop iterations and calls a run may
    /// make, how long its top level may compute.
    public var limits = EvaluationLimits()

    public init(checkMode: Bool = false, backups: Bool = true, forks: Int = 32, rollbackOnFailure: Bool = false) {
        self.checkMode = checkMode
        self.backups = backups
        self.forks = max(1, forks)
        self.rollbackOnFailure = rollbackOnFailure
    }
}
