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

    /// chmod/chown commands for what differs between `stat` and the wanted mode and owner.
    static func fixups(path: String, stat: FileStat, mode: String?, owner: String?) -> [PlannedAction] {
        var actions: [PlannedAction] = []
        if let mode, !stat.modeMatches(mode) {
            actions.append(.run(command: ShellQuote.command(["chmod", mode, "--", path]), summary: "chmod \(mode) \(path)"))
        }
        if let owner, !stat.ownerMatches(owner) {
            actions.append(.run(command: ShellQuote.command(["chown", owner, "--", path]), summary: "chown \(owner) \(path)"))
        }
        return actions
    }
}
