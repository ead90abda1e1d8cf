import Foundation
import Interpreter

/// On a terminal: one live line per host of the running `on` block (its current op and how
/// many ops it has done), redrawn in place, with changes and failures printed above it as
/// they happen. Off a terminal the plain `ConsoleObserver` is used instead.
final class LiveDisplay: RunObserver, @unchecked Sendable {
    private struct HostLine {
        var current = "connecting"
        var done = 0
        var changed = 0
        var failed = false
        var finished = false
    }

    private let lock = NSLock()
    private var hosts: [String] = []
    private var lines: [String: HostLine] = [:]
    private var drawnLines = 0
    private let events: ConsoleObserver
    private let color: Bool

    init(showDiffs: Bool, color: Bool) {
        self.color = color
        self.events = ConsoleObserver(showDiffs: showDiffs, verbose: false, quiet: false, color: color)
    }

    func hostStarted(_ host: HostTarget, blockLocation: String) {
        update(host.name) { line in
            line.current = "block at \(blockLocation)"
            line.finished = false
        }
    }

    func opStarted(_ host: HostTarget, op: String, location: String) {
        update(host.name) { $0.current = "\(op) (\(location))" }
    }

    func opFinished(_ host: HostTarget, _ record: OpRecord) {
        update(host.name) { line in
            line.done += 1
            if record.status == .changed { line.changed += 1 }
            if record.status == .failed { line.failed = true }
            line.current = "idle"
        }
        // Changes and failures stay on screen; unchanged ops only move the counter.
        if record.status != .ok { above { events.opFinished(host, record) } }
    }

    func hostFailed(_ host: HostTarget, _ report: HostReport) {
        update(host.name) { line in
            line.failed = true
            line.finished = true
            line.current = report.failureLabel.lowercased()
        }
        above { events.hostFailed(host, report) }
    }

    func log(_ host: HostTarget?, _ message: String) {
        above { events.log(host, message) }
    }

    /// Clears the live lines once the run is over, before the recap is printed.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        erase()
    }

    // MARK: - Drawing

    private func update(_ host: String, _ change: (inout HostLine) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if lines[host] == nil {
            hosts.append(host)
            lines[host] = HostLine()
        }
        change(&lines[host]!)
        erase()
        draw()
    }

    private func above(_ print: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        erase()
        print()
        draw()
    }

    private func erase() {
        guard drawnLines > 0 else { return }
        var text = ""
        for _ in 0..<drawnLines { text += "\u{1B}[1A\u{1B}[2K" }
        FileHandle.standardOutput.write(Data(text.utf8))
        drawnLines = 0
    }

    private func draw() {
        let width = hosts.map(\.count).max() ?? 0
        var text = ""
        for host in hosts {
            let line = lines[host]!
            let status = line.failed ? Recap.paint("✗", "31", color) : line.changed > 0 ? Recap.paint("~", "33", color) : Recap.paint("•", "32", color)
            text += "\(status) \(TerminalText.visible(host.padding(width)))  \(String(line.done).leftPadding(3)) done  "
                + TerminalText.visible(line.current) + "\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        drawnLines = hosts.count
    }
}
