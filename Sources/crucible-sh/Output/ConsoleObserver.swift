import Foundation
import Interpreter

/// Prints run events as they happen, one line per event (safe to read in CI logs);
/// diffs under the changed op in check mode or with --diff.
final class ConsoleObserver: RunObserver, @unchecked Sendable {
    let showDiffs: Bool
    let verbose: Bool
    let quiet: Bool
    let color: Bool
    private let lock = NSLock()

    init(showDiffs: Bool, verbose: Bool, quiet: Bool, color: Bool) {
        self.showDiffs = showDiffs
        self.verbose = verbose
        self.quiet = quiet
        self.color = color
    }

    func hostStarted(_ host: HostTarget, blockLocation: String) {
        if verbose { emit("[\(host.name)] start block at \(blockLocation)") }
    }

    func opStarted(_ host: HostTarget, op: String, location: String) {}

    func opFinished(_ host: HostTarget, _ record: OpRecord) {
        let record = record.forTerminal
        var text = "[\(host.name)] " + paint(record.status.rawValue.padding(7), record.status) + " \(record.op) (\(record.location))"
        if let reason = record.reason, !reason.isEmpty, record.status == .ok, verbose { text += ": \(reason)" }
        if let error = record.error { text += "\n    " + error.replacingAll("\n", with: "\n    ") }
        if record.status == .changed {
            if showDiffs, !record.diff.isEmpty { text += "\n" + indent(colorDiff(record.diff)) }
            if showDiffs || verbose { for command in record.commands { text += "\n    $ \(command)" } }
        }
        emit(text)
    }

    func hostFailed(_ host: HostTarget, _ report: HostReport) {
        emit("[\(host.name)] " + Recap.paint(report.failureLabel, "31", color) + ": " + (report.forTerminal.error ?? "").trimmed)
    }

    func log(_ host: HostTarget?, _ message: String) {
        let message = TerminalText.visible(message)
        emit(host.map { "[\($0.name)] \(message)" } ?? message)
    }

    private func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if quiet { printError(text + "\n") } else { print(text) }
        fflush(nil)
    }

    private func paint(_ text: String, _ status: OpRecord.Status) -> String {
        Recap.paint(text, status == .ok ? "32" : status == .changed ? "33" : "31", color)
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n")
            .trimmingCharacters(in: .whitespaces.union(.newlines).subtracting(.init(charactersIn: " ")))
    }

    private func colorDiff(_ diff: String) -> String {
        guard color else { return diff.hasSuffix("\n") ? String(diff.dropLast()) : diff }
        return diff.split(separator: "\n").map { line in
            line.hasPrefix("+") && !line.hasPrefix("+++") ? "\u{1B}[32m\(line)\u{1B}[0m"
                : line.hasPrefix("-") && !line.hasPrefix("---") ? "\u{1B}[31m\(line)\u{1B}[0m" : String(line)
        }.joined(separator: "\n")
    }
}
