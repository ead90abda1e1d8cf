import Interpreter

/// A path resolved and checked on the host (`PathCheck`: only root's symlinks followed, the
/// directories on the way safe), with its type, mode and owner: one probe.
typealias FileStat = PathCheck.Report

extension PathCheck.Report {
    /// Checks `path` for an op that will change it as a `kind`, to belong to `owner` (nil:
    /// the owner it has). A refusal (another user's symlink on the way, a FIFO where a file
    /// should be, ...) is the op's error, before anything changes.
    static func read(_ path: String, kind: PathCheck.Kind, owner: String?, op: String?,
                     context: any HostContext) async throws -> FileStat {
        try checked(PathCheck.parse(try await context.probe(PathCheck.probe(path, kind: kind, owner: owner))), op: op)
    }

    /// The report, or the op's error for a refusal or a failed probe.
    static func checked(_ outcome: PathCheck.Outcome, op: String?) throws -> FileStat {
        let prefix = op.map { $0 + ": " } ?? ""
        switch outcome {
        case .checked(let report):
            return report
        case .refused(let reason):
            throw OpError(prefix + reason, hint: "crucible changes nothing another user could have redirected; "
                            + "remove what they put there, or fix the owner or mode it names")
        case .failed(let reason):
            throw OpError(prefix + "cannot check the path: \(reason)")
        }
    }

    /// Whether the permission bits equal an octal mode given by a recipe (`"0755"`, `"755"`).
    func modeMatches(_ wanted: String) -> Bool {
        mode.flatMap { Int($0, radix: 8) } == Int(wanted, radix: 8)
    }

    /// Whether the owner equals `user` or `user:group` (names or numbers).
    func ownerMatches(_ wanted: String) -> Bool {
        for current in [owner, numericOwner].compactMap({ $0 }) {
            if wanted.contains(":") {
                if current == wanted { return true }
            } else if current.split(separator: ":").first.map(String.init) == wanted {
                return true
            }
        }
        return false
    }
}
