import Interpreter

/// The table printed at the end of a run: one row per host.
enum Recap {
    static func render(_ report: RunReport, color: Bool) -> String {
        guard !report.hosts.isEmpty else { return report.checkMode ? "check mode: no hosts" : "no hosts" }
        let width = max(4, report.hosts.map(\.host.count).max() ?? 4)
        var lines = [(report.checkMode ? "RECAP (check mode: nothing was changed)" : "RECAP")]
        lines.append("host".padding(width) + "  status       ok  changed  failed")
        for host in report.hosts {
            let status = host.status.rawValue
            let painted = paint(status.padding(11), host.status == .ok ? (host.changedCount > 0 ? "33" : "32") : "31", color)
            lines.append(host.host.padding(width) + "  " + painted + "  " + String(host.okCount).leftPadding(2)
                         + "  " + String(host.changedCount).leftPadding(7) + "  " + String(host.failedCount).leftPadding(6))
            if let error = host.error { lines.append("  " + error.trimmed.replacingAll("\n", with: "\n  ")) }
        }
        return lines.joined(separator: "\n")
    }

    static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
