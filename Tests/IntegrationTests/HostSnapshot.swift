import Foundation
import TestSupport

/// What a live-migration run may change on one sandbox host, byte for byte: the files the
/// recipe manages, the live iptables rules and the recording stubs' state (services,
/// SELinux booleans, mounts, firewalld ports; not calls.log, which only grows).
struct HostSnapshot: Equatable {
    /// Path under /etc to its bytes; nil when the file does not exist.
    var files: [String: [UInt8]?]
    var firewall: String
    var stubState: [String: [UInt8]]

    static func take(_ host: SandboxHost) throws -> HostSnapshot {
        var files: [String: [UInt8]?] = [:]
        for path in LiveMigrationTests.managedFiles {
            let bytes = FileManager.default.contents(atPath: host.etcPath(path)).map { [UInt8]($0) }
            files[path] = path == savedRulesPath ? bytes.map(withoutTimestamps) : bytes
        }
        return HostSnapshot(files: files, firewall: try firewallRules(host), stubState: try stubState(host))
    }

    /// The saved rules file, written by `iptables-save` (through `service iptables save`), not
    /// by crucible's atomic write: its comment lines carry the time of the save.
    static let savedRulesPath = "sysconfig/iptables"

    /// iptables-save output without its dated comments and packet counters.
    static func withoutTimestamps(_ bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[[0-9]+:[0-9]+\]"#, with: "", options: .regularExpression) }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// The filter table without counters and comments: what the rules are, not how often they matched.
    static func firewallRules(_ host: SandboxHost) throws -> String {
        let saved = try HostShell.run("ip netns exec \(host.netns) iptables-save -t filter")
        return saved.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[[0-9]+:[0-9]+\]"#, with: "", options: .regularExpression) }
            .joined(separator: "\n")
    }

    /// RPC programs the recipe pins (NFSv3 only; the campaign runs NFSv4): none by default.
    static let pinnedRPC: Set<String> = ["portmapper", "nfs"]

    static func stubState(_ host: SandboxHost) throws -> [String: [UInt8]] {
        var state: [String: [UInt8]] = [:]
        let root = URL(fileURLWithPath: host.state)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let relative = String(url.path.dropFirst(root.path.count + 1))
            // History, not end state: the calls, how often the idmap cache was cleared, and
            // the counters behind the random ports of daemons nobody pinned.
            if relative == "calls.log" || relative == "nfsidmap-cleared" || relative.hasPrefix("gen/") { continue }
            var bytes = FileManager.default.contents(atPath: url.path).map { [UInt8]($0) } ?? []
            // An unpinned daemon's port is random on a real host too: that it is registered counts.
            if relative.hasPrefix("rpc/") && !Self.pinnedRPC.contains(String(relative.dropFirst(4))) { bytes = [] }
            state[relative] = bytes
        }
        return state
    }

    /// The managed files whose bytes are none of the given states' (a file written twice
    /// by one run, like nova.conf, has a whole state in between: pass it in `others`).
    func filesNeither(_ before: HostSnapshot, _ after: HostSnapshot, others: [String: [[UInt8]]] = [:]) -> [String] {
        files.keys.sorted().filter { path in
            let bytes = files[path] ?? nil
            if bytes == (before.files[path] ?? nil) || bytes == (after.files[path] ?? nil) { return false }
            if let bytes, others[path, default: []].contains(bytes) { return false }
            if path == Self.savedRulesPath, let bytes { return !isSavedRulesBetween(bytes, before, after) }
            if path == Self.hostsPath, let bytes { return !Self.isHostsBetween(bytes, before.files[path] ?? nil, after.files[path] ?? nil) }
            return true
        }
    }

    /// The rules file is saved once per open-port call, so a cut run can leave any of those
    /// saves: a whole file (ending in COMMIT) holding every rule the live table had before
    /// the run (iptables-save's spelling, not the stock file's) and only rules that were
    /// there before or that the finished run also has.
    func isSavedRulesBetween(_ bytes: [UInt8], _ before: HostSnapshot, _ after: HostSnapshot) -> Bool {
        func rules(_ text: String) -> Set<Substring> { Set(text.split(separator: "\n").filter { $0.hasPrefix("-A ") }) }
        let text = String(decoding: bytes, as: UTF8.self)
        // A save still running on the host when the campaign's own DROP rule went in records
        // that rule too: an artefact of how the test cuts the host off, not of crucible.
        let now = rules(text).subtracting([Fault.savedDropRule])
        let allowed = rules(String(decoding: (after.files[Self.savedRulesPath] ?? nil) ?? [], as: UTF8.self))
            .union(rules(String(decoding: (before.files[Self.savedRulesPath] ?? nil) ?? [], as: UTF8.self)))
        return text.hasSuffix("COMMIT\n") && rules(before.firewall).isSubset(of: now) && now.isSubset(of: allowed)
    }

    static let hostsPath = "hosts"

    /// /etc/hosts gets one entry per node, each in its own write; a node that could not be
    /// reached is added by a later run, at the end. Whole: every line it had, each new line
    /// one the finished run also has, none twice, ending in a newline.
    static func isHostsBetween(_ bytes: [UInt8], _ before: [UInt8]?, _ after: [UInt8]?) -> Bool {
        func lines(_ bytes: [UInt8]?) -> [Substring] { String(decoding: bytes ?? [], as: UTF8.self).split(separator: "\n") }
        let now = lines(bytes), old = lines(before), allowed = Set(lines(after)).union(old)
        return bytes.last == UInt8(ascii: "\n") && Array(now.prefix(old.count)) == old
            && Set(now).isSubset(of: allowed) && Set(now).count == now.count
    }

    /// Equal as an end state: byte for byte, except that /etc/hosts may list the entries a
    /// run added in another order (an entry for a node that was unreachable comes last), and
    /// that the saved rules may hold the campaign's own DROP rule: a save still running on
    /// the host when the fault went in recorded it (the host was cut off, so nothing could
    /// tell crucible; a save of live rules that another party changed is what a save is for).
    static func sameEndState(_ path: String, _ lhs: [UInt8]?, _ rhs: [UInt8]?) -> Bool {
        if path == savedRulesPath, let lhs, let rhs {
            func withoutDrop(_ bytes: [UInt8]) -> String {
                String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { $0 != Fault.savedDropRule }.joined(separator: "\n")
            }
            return sameRules(withoutDrop(lhs), withoutDrop(rhs))
        }
        guard path == hostsPath, let lhs, let rhs, lhs != rhs else { return lhs == rhs }
        func lines(_ bytes: [UInt8]) -> [Substring] { String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) }
        return lines(lhs).sorted() == lines(rhs).sorted()
    }

    /// The same rules, where the order of the ACCEPT rules above the catch-all may differ.
    /// The campaign's DROP fault is itself a concurrent change of INPUT: inserted between
    /// the run's check that INPUT is unchanged and its inserts by position (a window of a
    /// few milliseconds, on the host, after the client is cut off), it shifts the positions
    /// by one, so a port's rule can land one place higher among the ACCEPT rules. Every port
    /// is still accepted above the REJECT, once, which is what a converged firewall means.
    static func sameRules(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        func parts(_ text: String) -> (other: [Substring], above: [Substring], rest: [Substring]) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let input = lines.filter { $0.hasPrefix("-A INPUT ") }
            let catchAll = input.firstIndex { $0.hasSuffix("-j REJECT --reject-with icmp-host-prohibited") } ?? input.count
            return (lines.filter { !$0.hasPrefix("-A INPUT ") }, Array(input[..<catchAll]).sorted(), Array(input[catchAll...]))
        }
        let (a, b) = (parts(lhs), parts(rhs))
        return a.other == b.other && a.above == b.above && a.rest == b.rest
    }

    /// Names of what differs from `other` (files, "firewall", "stub:PATH").
    func differences(from other: HostSnapshot) -> [String] {
        var names = files.keys.sorted().filter { !Self.sameEndState($0, files[$0] ?? nil, other.files[$0] ?? nil) }
        if !Self.sameRules(firewall, other.firewall) { names.append("firewall") }
        for key in Set(stubState.keys).union(other.stubState.keys).sorted() where stubState[key] != other.stubState[key] {
            names.append("stub:\(key)")
        }
        return names
    }
}

/// Shell commands on the test machine (root namespace) for the fault campaign.
enum HostShell {
    @discardableResult
    static func run(_ command: String) throws -> String {
        let outcome = try Subprocess.run("/bin/sh", ["-c", "PATH=/usr/sbin:/usr/bin:/sbin:/bin; " + command])
        guard outcome.status == 0 else { throw Failure(command: command, outcome: outcome) }
        return outcome.output
    }

    struct Failure: Error, CustomStringConvertible {
        let command: String
        let outcome: Subprocess.Outcome
        var description: String { "`\(command)` exited \(outcome.status): \(outcome.output)" }
    }
}
