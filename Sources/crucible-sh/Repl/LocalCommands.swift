import Foundation

/// The commands this process runs on the local host (`repl local`): each is a `/bin/sh -c`
/// child in a process group of its own, so the terminal's Ctrl-C does not reach it.
/// Interrupting an entry passes the interrupt on to them.
enum LocalCommands {
    /// Sends SIGINT to the process group of every child of this process.
    static func interrupt() {
        for child in children() { kill(-child, SIGINT) }
    }

    /// Children of this process, read from /proc (field 4 of `stat` is the parent's pid).
    static func children() -> [pid_t] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == me
        }
    }
}
