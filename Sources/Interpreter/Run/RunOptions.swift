/// How a run behaves.
public struct RunOptions: Sendable {
    /// Plan every op and show what would change; change nothing.
    public var checkMode = false
    /// Keep `FILE.crucible~` backups unless an op says `backup: false`.
    public var backups = true
    /// How many hosts of an `on` block run at once.
    public var forks = 32

    public init(checkMode: Bool = false, backups: Bool = true, forks: Int = 32) {
        self.checkMode = checkMode
        self.backups = backups
        self.forks = max(1, forks)
    }
}
