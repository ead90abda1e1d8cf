import Interpreter

/// A path's type, mode and owner, read with one `stat`.
struct FileStat: Equatable {
    /// Octal permission bits as stat prints them (`755`, `1777`).
    var mode: String
    /// `user:group` by name and by number.
    var owner: String
    var numericOwner: String
    var isDirectory: Bool

    /// Nil when the path does not exist.
    static func read(_ path: String, context: any HostContext) async throws -> FileStat? {
        let script = #"[ -e "$1" ] || [ -L "$1" ] || exit 3; exec stat -L -c '%a %U:%G %u:%g %F' -- "$1""#
        let result = try await context.probe(ShellQuote.command(["/bin/sh", "-c", script, "crucible-stat", path]))
        if result.status == 3 { return nil }
        guard result.succeeded else {
            throw OpError("cannot read the mode and owner of \(path): \(result.stderrText.trimmed)")
        }
        let fields = result.stdoutText.trimmed.split(separator: " ", maxSplits: 3).map(String.init)
        guard fields.count == 4 else { throw OpError("unexpected stat output for \(path): \(result.stdoutText.trimmed)") }
        return FileStat(mode: fields[0], owner: fields[1], numericOwner: fields[2], isDirectory: fields[3] == "directory")
    }

    /// Whether the permission bits equal an octal mode given by a recipe (`"0755"`, `"755"`).
    func modeMatches(_ wanted: String) -> Bool {
        Int(mode, radix: 8) == Int(wanted, radix: 8)
    }

    /// Whether the owner equals `user` or `user:group` (names or numbers).
    func ownerMatches(_ wanted: String) -> Bool {
        for current in [owner, numericOwner] {
            if wanted.contains(":") {
                if current == wanted { return true }
            } else if current.split(separator: ":").first.map(String.init) == wanted {
                return true
            }
        }
        return false
    }
}
