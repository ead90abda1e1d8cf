import Foundation
import Interpreter

/// Prints run events as they happen, one line per event (safe to read in CI logs);
/// diffs under the changed op in check mode or with --diff. A failure is told once, in
/// full, under its op: the command, its exit status and what it printed (the last
/// `FailureText.shownLines` lines of each stream); the host's own FAILED line is only for
/// failures no op line showed (unreachable, a runtime error). `-v` adds each command's
/// output under it.
final class ConsoleObserver: RunObserver, Sendable {
    let showDiffs: Bool
    let verbose: Bool
    let quiet: Bool
    let color: Bool
    /// Held while a line is written: hosts report at once, and their lines must not mix.
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
        if let reason = record.reason, !reason.isEmpty, record.status == .unknown || (record.status == .ok && verbose) {
            text += ": \(reason)"
        }
        if let failed = record.failedCommand {
            text += "\n" + FailureText.render(failed, indent: "    ")
        } else if let error = record.error {
            text += "\n    " + error.replacingAll("\n", with: "\n    ")
        }
        if record.status == .changed {
            if showDiffs, !record.diff.isEmpty { text += "\n" + indent(colorDiff(record.diff)) }
            if showDiffs || verbose {
                var outputs = record.output[...]
                for command in record.commands {
                    text += "\n    $ \(command)"
                    guard verbose, let index = outputs.firstIndex(where: { $0.command == command }) else { continue }
                    text += FailureText.streams(outputs[index], indent: "      ")
                    outputs = outputs[(index + 1)...]
                }
            }
        }
        emit(text)
    }

    /// Printed only when no op line told the failure already (`failedAt` is nil).
    func hostFailed(_ host: HostTarget, _ report: HostReport) {
        guard report.failedAt == nil else { return }
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
        Recap.paint(text, Recap.color(of: status), color)
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

/// A failed command as the run output shows it: the command, its exit status, then what it
/// printed, each stream cut to its last lines.
enum FailureText {
    static let shownLines = 20

    /// Text already made `visible`.
    static func render(_ output: CommandOutput, indent: String) -> String {
        var text = "\(indent)$ \(output.command)\n\(indent)exit status \(output.status)"
        let streams = Self.streams(output, indent: indent)
        text += streams.isEmpty ? "\n\(indent)(no output)" : streams
        return text
    }

    /// `stdout:` and `stderr:` with their last lines under them; empty streams are left out.
    static func streams(_ output: CommandOutput, indent: String) -> String {
        var text = ""
        for (name, stream) in [("stdout", output.stdout), ("stderr", output.stderr)] {
            var lines = stream.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            guard !lines.isEmpty else { continue }
            let shown = lines.suffix(shownLines)
            text += "\n\(indent)\(name)" + (shown.count < lines.count ? " (last \(shown.count) of \(lines.count) lines)" : "") + ":"
            for line in shown { text += "\n\(indent)  \(line)" }
        }
        return text
    }
}
