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

    public init(checkMode: Bool = false, backups: Bool = true, forks: Int = 32, rollbackOnFailure: Bool = false) {
        self.checkMode = checkMode
        self.backups = backups
        self.forks = max(1, forks)
        self.rollbackOnFailure = rollbackOnFailure
    }
}
