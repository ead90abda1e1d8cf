import Interpreter

/// The table printed at the end of a run: one row per host, and under a failed host a
/// one-line summary of why (the whole story was printed where it happened).
enum Recap {
    /// `columns`: the terminal's width, to cut the summary lines to; nil leaves them whole.
    static func render(_ report: RunReport, color: Bool, columns: Int? = nil) -> String {
        guard !report.hosts.isEmpty else { return report.checkMode ? "check mode: no hosts" : "no hosts" }
        let width = max(4, report.hosts.map(\.host.count).max() ?? 4)
        var lines = [(report.checkMode ? "RECAP (check mode: nothing was changed)" : "RECAP")]
        // The column of ops check mode could not plan is there only when there are some.
        let unknownColumn = report.unknownCount > 0
        lines.append("host".padding(width) + "    ok  changed  failed  unreachable" + (unknownColumn ? "  unknown" : ""))
        for host in report.hosts.map(\.forTerminal) {
            // A refused host key is no network problem: it counts as failed, its warning below.
            let unreachable = host.status == .unreachable && !host.refusedForHostKey ? 1 : 0
            let failed = [.failed, .interrupted].contains(host.status) || host.refusedForHostKey ? max(1, host.failedCount) : host.failedCount
            let painted = paint(host.host.padding(width), host.status == .ok ? (host.changedCount > 0 ? "33" : "32") : "31", color)
            lines.append(painted + "  " + String(host.okCount).leftPadding(4) + "  " + String(host.changedCount).leftPadding(7)
                         + "  " + String(failed).leftPadding(6) + "  " + String(unreachable).leftPadding(11)
                         + (unknownColumn ? "  " + String(host.unknownCount).leftPadding(7) : ""))
            if let error = host.error {
                // The row above names the host: the message need not say it again.
                lines.append(summary(error.replacingOccurrences(of: ": \(host.host): ", with: ": "), width: columns.map { $0 - 3 }))
            }
            for line in host.rolledBack ?? [] { lines.append("  rollback: \(line)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The first line of a failure, indented, cut to `width` with an ellipsis.
    static func summary(_ error: String, width: Int?) -> String {
        let first = error.trimmed.split(separator: "\n").first.map(String.init) ?? ""
        guard let width, first.count > width else { return "  " + first }
        return "  " + first.prefix(max(10, width) - 1) + "…"
    }

    /// The terminal color of an op's status: green ok, yellow changed, red failed, magenta
    /// unknown (check mode could not plan it).
    static func color(of status: OpRecord.Status) -> String {
        switch status {
        case .ok: return "32"
        case .changed: return "33"
        case .failed: return "31"
        case .unknown: return "35"
        }
    }

    static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension HostReport {
    /// Whether the host was given up because its host key was refused (changed, revoked,
    /// unknown, only known through a certificate authority).
    var refusedForHostKey: Bool { status == .hostKeyRefused }

    /// How the run's output names a host it gave up: a possible attack must not read as
    /// a network problem.
    var failureLabel: String {
        refusedForHostKey ? "HOST KEY REFUSED" : status == .unreachable ? "UNREACHABLE" : status == .interrupted ? "INTERRUPTED" : "FAILED"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
