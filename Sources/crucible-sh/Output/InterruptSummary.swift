import Interpreter

/// What `crucible-sh run` prints after Ctrl-C, below the recap: per host, whether it was
/// interrupted and where, and what it had changed by then, so the operator knows what to
/// look at before running again (which is safe: files are whole, the locks are released).
enum InterruptSummary {
    static func render(_ report: RunReport) -> String {
        var lines = ["INTERRUPTED (Ctrl-C): no op started after it; the commands under way were stopped on their hosts "
                     + "with every process they started; each host's lock was released; every file is either as before or as the op wrote it."]
        for host in report.hosts.map(\.forTerminal) {
            let changed = host.ops.filter { $0.status == .changed }.map { "\($0.op) at \($0.location)" }
            let changes = changed.isEmpty ? "changed nothing" : "changed: " + changed.joined(separator: ", ")
            switch host.status {
            case .interrupted:
                let place = host.failedAt.map { "at \($0)" } ?? "before its first op"
                lines.append("  \(host.host): interrupted \(place); \(changes)")
            case .ok:
                lines.append("  \(host.host): finished before the interrupt; \(changes)")
            default:
                lines.append("  \(host.host): \(host.failureLabel.lowercased()) before the interrupt; \(changes)")
            }
        }
        lines.append("Run again to finish: what was done is found done.")
        return lines.joined(separator: "\n")
    }
}
