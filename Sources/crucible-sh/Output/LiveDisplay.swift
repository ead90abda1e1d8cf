import Foundation
import Synchronization
import Interpreter

/// On a terminal: one live line per host of the running `on` block (its current op and how
/// many ops it has done), redrawn in place, with changes and failures printed above it as
/// they happen. Off a terminal the plain `ConsoleObserver` is used instead.
///
/// The counter counts ops as they are decided: an op whose changes wait in the host's apply
/// queue counts at once, so the line moves while a batch is prepared, and while the batch
/// runs the line says how many changes it applies and for how long. Each line is cut to the
/// terminal's width (a wrapped line would break the redraw), and a resize (SIGWINCH)
/// redraws them at the new width. Erasing moves up one row per line drawn: a terminal that
/// re-wraps its lines when it narrows (tmux, VTE) may keep a piece of the old line above
/// the new one, but no line of the run's output is ever erased.
final class LiveDisplay: RunObserver, Sendable {
    private struct HostLine {
        var current = "connecting"
        /// Records delivered, and records decided that wait for their batch.
        var done = 0
        var waiting = 0
        var changed = 0
        var failed = false
        var finished = false
        /// When the batch that runs now started.
        var batchStart: Date?
    }

    /// The live lines and what is drawn of them; held while the screen is redrawn.
    private struct Screen {
        var hosts: [String] = []
        var lines: [String: HostLine] = [:]
        /// How many live lines are on the screen (each one row: they are cut to the width).
        var drawn = 0
        var width: Int
    }

    private let screen: Mutex<Screen>
    private let events: ConsoleObserver
    private let color: Bool
    /// The resize watcher and the clock, cancelled by `finish()`. Kept as the `DispatchSource`
    /// objects the factories return, which are Sendable (the protocols they are typed as are not).
    private let sources = Mutex<[DispatchSource]>([])

    init(showDiffs: Bool, color: Bool, width: Int? = Terminal.columns) {
        self.color = color
        self.screen = Mutex(Screen(width: width ?? 80))
        self.events = ConsoleObserver(showDiffs: showDiffs, verbose: false, quiet: false, color: color)
        watchResizes()
        startTicker()
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

    func opQueued(_ host: HostTarget, _ record: OpRecord) {
        update(host.name) { line in
            line.waiting += 1
            if record.status == .changed { line.changed += 1 }
        }
    }

    func batchStarted(_ host: HostTarget, changes: Int) {
        update(host.name) { line in
            line.current = "applying \(changes) change\(changes == 1 ? "" : "s")"
            line.batchStart = Date()
        }
    }

    func opFinished(_ host: HostTarget, _ record: OpRecord) {
        update(host.name) { line in
            line.done += 1
            if line.waiting > 0 {
                // Counted when it was queued.
                line.waiting -= 1
                if record.status == .failed, line.changed > 0 { line.changed -= 1 }
            } else if record.status == .changed || record.status == .unknown {
                line.changed += 1
            }
            if record.status == .failed { line.failed = true }
            if line.waiting == 0 {
                line.current = "idle"
                line.batchStart = nil
            }
        }
        // Changes and failures stay on screen; unchanged ops only move the counter.
        if record.status != .ok { above { events.opFinished(host, record) } }
    }

    func hostFailed(_ host: HostTarget, _ report: HostReport) {
        update(host.name) { line in
            line.failed = true
            line.finished = true
            // Ops that waited behind the failure never ran.
            line.waiting = 0
            line.batchStart = nil
            line.current = report.failureLabel.lowercased()
        }
        above { events.hostFailed(host, report) }
    }

    func log(_ host: HostTarget?, _ message: String) {
        above { events.log(host, message) }
    }

    /// Clears the live lines once the run is over, before the recap is printed.
    func finish() {
        sources.withLock { sources in
            for source in sources.reversed() { source.cancel() }
        }
        screen.withLock { Self.erase(&$0) }
    }

    // MARK: - Drawing

    private func update(_ host: String, _ change: (inout HostLine) -> Void) {
        redraw(before: { screen in
            if screen.lines[host] == nil {
                screen.hosts.append(host)
                screen.lines[host] = HostLine()
            }
            change(&screen.lines[host]!)
        })
    }

    private func above(_ print: () -> Void) {
        redraw(between: print)
    }

    /// Under the lock: `before`, the live lines erased, `between`, the live lines drawn.
    private func redraw(before: (inout Screen) -> Void = { _ in }, between: () -> Void = {}) {
        screen.withLock { screen in
            before(&screen)
            Self.erase(&screen)
            between()
            draw(&screen)
        }
    }

    /// Moves up over the live lines and clears to the end of the screen.
    private static func erase(_ screen: inout Screen) {
        guard screen.drawn > 0 else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[\(screen.drawn)A\u{1B}[J".utf8))
        screen.drawn = 0
    }

    private func draw(_ screen: inout Screen) {
        let nameWidth = screen.hosts.map(\.count).max() ?? 0
        var text = ""
        for host in screen.hosts {
            let line = screen.lines[host]!
            var plain = " \(host.padding(nameWidth))  \(String(line.done + line.waiting).leftPadding(3)) done  \(line.current)"
            if let start = line.batchStart { plain += " \(Int(Date().timeIntervalSince(start)))s" }
            plain = TerminalText.visible(plain)
            // One column is kept free: a line that fills the last column wraps on some terminals.
            let cut = String(plain.prefix(max(1, screen.width - 2)))
            let status = line.failed ? Recap.paint("✗", "31", color) : line.changed > 0 ? Recap.paint("~", "33", color) : Recap.paint("•", "32", color)
            text += status + cut + "\n"
            screen.drawn += 1
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    // MARK: - Resizes and the clock

    private func watchResizes() {
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { [weak self] in self?.resized() }
        source.resume()
        keep(source)
    }

    private func resized() {
        redraw(before: { $0.width = Terminal.columns ?? $0.width })
    }

    /// Redraws every second while a batch runs, so its time moves.
    private func startTicker() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        keep(timer)
    }

    private func keep(_ source: any DispatchSourceProtocol) {
        let object = source as! DispatchSource
        sources.withLock { $0.append(object) }
    }

    private func tick() {
        guard screen.withLock({ $0.lines.values.contains { $0.batchStart != nil } }) else { return }
        redraw()
    }
}
