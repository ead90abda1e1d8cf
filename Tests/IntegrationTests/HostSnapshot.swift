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
            files[path] = FileManager.default.contents(atPath: host.etcPath(path)).map { [UInt8]($0) }
        }
        return HostSnapshot(files: files, firewall: try firewallRules(host), stubState: try stubState(host))
    }

    /// The filter table without counters and comments: what the rules are, not how often they matched.
    static func firewallRules(_ host: SandboxHost) throws -> String {
        let saved = try HostShell.run("ip netns exec \(host.netns) iptables-save -t filter")
        return saved.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[[0-9]+:[0-9]+\]"#, with: "", options: .regularExpression) }
            .joined(separator: "\n")
    }

    static func stubState(_ host: SandboxHost) throws -> [String: [UInt8]] {
        var state: [String: [UInt8]] = [:]
        let root = URL(fileURLWithPath: host.state)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let relative = String(url.path.dropFirst(root.path.count + 1))
            if relative == "calls.log" { continue }
            state[relative] = FileManager.default.contents(atPath: url.path).map { [UInt8]($0) } ?? []
        }
        return state
    }

    /// The managed files whose bytes are neither `before`'s nor `after`'s.
    func filesNeither(_ before: HostSnapshot, _ after: HostSnapshot) -> [String] {
        files.keys.sorted().filter { path in
            let bytes = files[path] ?? nil
            return bytes != (before.files[path] ?? nil) && bytes != (after.files[path] ?? nil)
        }
    }

    /// Names of what differs from `other` (files, "firewall", "stub:PATH").
    func differences(from other: HostSnapshot) -> [String] {
        var names = files.keys.sorted().filter { (files[$0] ?? nil) != (other.files[$0] ?? nil) }
        if firewall != other.firewall { names.append("firewall") }
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
