import Foundation
import Synchronization
import Interpreter

/// Everything the REPL prints, unbuffered (so a pipe sees each line when it happens):
/// values and op results on standard output, errors on standard error. `line` and `error`
/// make control characters visible (values and errors may hold host bytes, see
/// `TerminalText`); the `painted` forms take text that has its own colours, whose host
/// pieces were made visible before painting.
struct ReplOutput: Sendable {
    let color: Bool

    func line(_ text: String) { paintedLine(TerminalText.visible(text)) }

    func error(_ text: String) { paintedError(TerminalText.visible(text)) }

    func paintedLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    func paintedError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A diff with added lines green and removed lines red (when colour is on).
    func diff(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { line -> String in
            if line.hasPrefix("+") && !line.hasPrefix("+++") { return paint(String(line), "32") }
            if line.hasPrefix("-") && !line.hasPrefix("---") { return paint(String(line), "31") }
            return String(line)
        }.joined(separator: "\n")
    }
}

/// Which entry is running in the current task, so that output of an entry abandoned with
/// Ctrl-C (still finishing in the background) is not printed under a later one.
enum ReplEntry {
    @TaskLocal static var id = 0
}

/// Shows what ops do during an entry: `ok`/`changed` with the diff and commands, and
/// `log(...)` messages. Failures come back as the entry's result, so they are not printed here.
final class ReplObserver: RunObserver, Sendable {
    /// The entry running now (0 between entries), its host and mode.
    private struct Current {
        var entry = 0
        var host: HostTarget
        var checkMode = false
    }

    let output: ReplOutput
    private let current: Mutex<Current>

    init(output: ReplOutput, host: HostTarget) {
        self.output = output
        self.current = Mutex(Current(host: host))
    }

    func begin(entry: Int, host: HostTarget, checkMode: Bool) {
        current.withLock { $0 = Current(entry: entry, host: host, checkMode: checkMode) }
    }

    func end() { current.withLock { $0.entry = 0 } }

    /// The session host and check mode while the calling task runs the current entry; nil
    /// for a stale one.
    private func currentEntry() -> (host: HostTarget, checkMode: Bool)? {
        current.withLock { ReplEntry.id == $0.entry && $0.entry != 0 ? ($0.host, $0.checkMode) : nil }
    }

    func hostStarted(_ host: HostTarget, blockLocation: String) {}
    func opStarted(_ host: HostTarget, op: String, location: String) {}
    func hostFailed(_ host: HostTarget, _ report: HostReport) {}

    func opFinished(_ host: HostTarget, _ record: OpRecord) {
        // A failed op comes back as the entry's error, which says more.
        guard let (sessionHost, checkMode) = currentEntry(), record.status != .failed else { return }
        let record = record.forTerminal
        let prefix = host == sessionHost ? "" : "[\(host.name)] "
        let code = Recap.color(of: record.status)
        var text = prefix + output.paint(record.status.rawValue, code) + " \(record.op)"
        if let reason = record.reason, !reason.isEmpty, record.status == .ok { text += ": \(reason)" }
        if record.status == .changed {
            if checkMode { text += " (check mode: not applied)" }
            if !record.diff.isEmpty { text += "\n" + output.diff(record.diff.hasSuffix("\n") ? String(record.diff.dropLast()) : record.diff) }
            for command in record.commands { text += "\n$ \(command)" }
        }
        output.paintedLine(text)
    }

    func log(_ host: HostTarget?, _ message: String) {
        guard let (sessionHost, _) = currentEntry() else { return }
        let prefix = host == nil || host == sessionHost ? "" : "[\(host!.name)] "
        output.line(prefix + message)
    }
}
