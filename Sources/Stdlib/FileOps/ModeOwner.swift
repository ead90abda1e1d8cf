import Interpreter

/// Checks of `mode` and `owner` parameters, shared by file, directory and authorized-key.
enum ModeOwner {
    static func validMode(_ mode: String?, op: String) throws -> String? {
        guard let mode else { return nil }
        if let problem = ValueRule.octalMode.problem(.string(mode)) { throw OpError("\(op): \(problem.message)", hint: problem.hint) }
        return mode
    }

    static func validOwner(_ owner: String?, op: String) throws -> String? {
        guard let owner else { return nil }
        let allowed = owner.allSatisfy { $0.isLetter || $0.isNumber || "_-.:$".contains($0) }
        guard !owner.isEmpty, allowed, !owner.hasPrefix("-"), owner.filter({ $0 == ":" }).count <= 1 else {
            throw OpError("\(op): owner \(Value.quoted(owner)) is not `user` or `user:group`")
        }
        return owner
    }

    /// One command for what differs between the checked path and the wanted mode and owner,
    /// run in the path's pinned directory (`PathCheck.changeCommand`): `path` is the name the
    /// recipe gave, for the summary.
    static func fixups(path: String, stat: FileStat, mode: String?, owner: String?) -> [PlannedAction] {
        let newMode = mode.flatMap { stat.modeMatches($0) ? nil : $0 }
        let newOwner = owner.flatMap { stat.ownerMatches($0) ? nil : $0 }
        if newMode == nil && newOwner == nil { return [] }
        let isDirectory = stat.existingDirectory == stat.path
        let command = isDirectory
            ? PathCheck.changeCommand(in: stat.path, mode: newMode, owner: newOwner)
            : PathCheck.changeCommand(in: stat.parent, name: stat.name, mode: newMode, owner: newOwner)
        let summary = [newMode.map { "chmod \($0) \(path)" }, newOwner.map { "chown \($0) \(path)" }]
            .compactMap { $0 }.joined(separator: " and ")
        return [.run(command: command, summary: summary)]
    }
}
