/// Follow-ups that must not be lost when a run is cut off.
///
/// A recipe restarts a service when its config changed (`if conf.changed { service ...
/// state: "restarted" }`). If the run dies between the two, the next run finds the config
/// already right, `changed` is false, and the restart never happens. So, in the same exec
/// that makes an op's change, the run appends the op's key (`RECIPE|FILE:LINE:COL`) to a
/// journal in the host lock's private directory (`HostLock`: no other user can plant a link
/// there); the keys are read back with the facts; an op whose key is
/// there reports `changed` even when it finds nothing to do, so what depends on it runs
/// again; and the run removes its recipe's keys when it releases the lock of a host where it
/// reached the end without a failure. A key can only make a follow-up run once more than
/// needed (a restart too many), never one fewer.
public struct FollowUps: Sendable {
    /// The file on the host (`HostLock.pendingFile`).
    public let pendingFile: String
    /// The recipe being run, so one recipe's run does not clear another's keys.
    public let recipe: String

    public init(pendingFile: String, recipe: String) {
        self.pendingFile = pendingFile
        self.recipe = recipe
    }

    /// Every key of this recipe starts with this.
    public var keyPrefix: String { recipe + "|" }

    public func key(_ location: String) -> String { keyPrefix + location }

    /// What an op reports when only an earlier, unfinished run's change makes it `changed`.
    public static let reason = "an earlier run changed this and stopped before its end on this host: what depends on the change runs again"
}
