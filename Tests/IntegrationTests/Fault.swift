import Foundation
import TestSupport

/// One fault of the campaign: what breaks, on which host, how long after the run started.
struct Fault: CustomStringConvertible {
    enum Kind: String, CaseIterable {
        /// An iptables DROP rule for SSH in the host's own network namespace: packets vanish,
        /// nothing is refused (the hardest case to notice).
        case dropSSH = "drop"
        /// SIGKILL to every sshd of the host (listener and sessions): the connection resets.
        case killSSHD = "kill-sshd"
        /// SIGKILL to the crucible process itself: no report, no cleanup.
        case killCrucible = "kill-crucible"
    }

    let kind: Kind
    /// The host cut off (unused for killCrucible, which hits every host at once).
    let host: String
    let delay: Double

    var description: String {
        kind == .killCrucible ? "\(kind) after \(String(format: "%.2f", delay)) s"
            : "\(kind) on \(host) after \(String(format: "%.2f", delay)) s"
    }

    static let dropRule = "INPUT -p tcp --dport 22 -j DROP"
    /// The same rule as iptables-save spells it.
    static let savedDropRule: Substring = "-A INPUT -p tcp -m tcp --dport 22 -j DROP"

    /// Breaks the host (or kills the run).
    func inject(_ sandbox: Sandbox, _ run: BackgroundCrucible) throws {
        switch kind {
        case .dropSSH:
            try HostShell.run("ip netns exec \(try sandbox.host(named: host).netns) iptables -I \(Self.dropRule)")
        case .killSSHD:
            for pid in try Self.sshdProcesses(try sandbox.host(named: host)) { kill(pid, SIGKILL) }
        case .killCrucible:
            run.kill()
        }
    }

    /// Undoes the fault (the run is over by then).
    func remove(_ sandbox: Sandbox) throws {
        switch kind {
        case .dropSSH:
            try HostShell.run("ip netns exec \(try sandbox.host(named: host).netns) iptables -D \(Self.dropRule)")
        case .killSSHD:
            try sandbox.startSSHD(host)
        case .killCrucible:
            break
        }
    }

    /// Every process in the host's network namespace (all of them started by its sandbox).
    static func processes(_ host: SandboxHost) throws -> [pid_t] {
        try HostShell.run("ip netns pids \(host.netns)").split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The sshd processes living in the host's network namespace.
    static func sshdProcesses(_ host: SandboxHost) throws -> [pid_t] {
        try processes(host).filter { pid in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            return name.trimmingCharacters(in: .whitespacesAndNewlines) == "sshd"
        }
    }

    /// The host's sshd listener.
    static func listener(_ host: SandboxHost) -> pid_t {
        pid_t((try? String(contentsOfFile: host.dir + "/sshd.main.pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    /// What a run left running on the host: every process but the idle ones (`baseline`)
    /// and the sshd listener (sessions, and the commands they started).
    static func runProcesses(_ host: SandboxHost, baseline: Set<pid_t>) throws -> [pid_t] {
        let listener = listener(host)
        return try processes(host).filter { !baseline.contains($0) && $0 != listener }
    }
}
