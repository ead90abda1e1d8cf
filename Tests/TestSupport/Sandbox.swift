import Foundation
import Interpreter

/// A set of throwaway RHEL/Fedora-like hosts reachable over real SSH, started by scripts/sandbox:
/// each host has its own network namespace and address, its own sshd, a fixture /etc (readable and
/// writable from the test through `SandboxHost.etc`), and recording stubs for the programs this
/// machine cannot run (systemctl, service, mount of NFS, ...). See docs/sandbox.md.
///
///     let sandbox = try Sandbox.start(name: "MyTests", hosts: [("ctl", "rhel7"), ("c1", "rhel6")])
///     defer { try? sandbox.stop() }   // or stop() in tearDown
public final class Sandbox: @unchecked Sendable {
    /// The name scripts/sandbox knows it by (the requested name plus this process's id).
    public let name: String
    /// DIR: everything of this sandbox lives below it.
    public let directory: String
    /// The client's private key (ed25519, no passphrase) every host accepts for root.
    public let identity: String
    /// A known_hosts file with every host's ed25519 key, by address.
    public let knownHosts: String
    /// An ssh_config with one `Host NAME` alias per host.
    public let sshConfig: String

    private let lock = NSLock()
    private var currentHosts: [SandboxHost]

    /// The hosts, in the order they were asked for.
    public var hosts: [SandboxHost] {
        lock.lock()
        defer { lock.unlock() }
        return currentHosts
    }

    private init(name: String, directory: String, manifest: SandboxManifest) {
        self.name = name
        self.directory = directory
        identity = manifest.identity
        knownHosts = manifest.knownHosts
        sshConfig = manifest.sshConfig
        currentHosts = manifest.hosts
    }

    // MARK: - Starting and stopping

    /// Starts the hosts and waits until every sshd accepts connections. A distro may carry host
    /// options after a colon: `rhel7:nonova` (no nova account), `rhel6:nova=163`, `rhel7:qemu=108`.
    /// The name only needs to be unique per test class: this process's id is added, so the same
    /// class running in two processes at once does not clash. A sandbox of the same name that an
    /// earlier run of this process left behind is removed first.
    public static func start(name: String, hosts: [(name: String, distro: String)]) throws -> Sandbox {
        if let reason = unavailableReason { throw SandboxError.unavailable(reason) }
        try removeSandboxesOfDeadRuns(of: name)
        let fullName = uniqueName(name)
        let directory = "/tmp/crucible-sb/" + fullName
        let specs = hosts.map { "\($0.name)=\($0.distro)" }
        try SandboxScript.runChecked(["up", fullName, directory] + specs)
        let manifest = try readManifest(directory)
        return Sandbox(name: fullName, directory: directory, manifest: manifest)
    }

    /// Stops every process of the sandbox and removes its namespaces and mounts. Its files stay in
    /// `directory` (logs, state) until the next start of the same name.
    public func stop() throws {
        try SandboxScript.runChecked(["down", name, directory])
    }

    // MARK: - Hosts

    public func host(named hostName: String) throws -> SandboxHost {
        guard let host = hosts.first(where: { $0.name == hostName }) else {
            throw SandboxError.noSuchHost(hostName, known: hosts.map(\.name))
        }
        return host
    }

    /// Runs `command` with sh inside the host's namespaces (not over SSH), as root with the
    /// stubs first in PATH. Output is stdout and stderr together.
    public func exec(_ hostName: String, _ command: String) throws -> (status: Int32, output: String) {
        _ = try host(named: hostName)
        let outcome = try SandboxScript.run(["exec", directory, hostName, "--", "sh", "-c", command])
        return (outcome.status, outcome.output)
    }

    /// The stub calls the host has seen, oldest first: "systemctl restart libvirtd".
    public func calls(_ hostName: String) throws -> [String] {
        let path = try host(named: hostName).state + "/calls.log"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Stops the host's sshd: new connections are refused until `startSSHD`.
    public func stopSSHD(_ hostName: String) throws {
        _ = try host(named: hostName)
        try SandboxScript.runChecked(["stop-sshd", directory, hostName])
    }

    /// Starts the host's sshd again and waits until it accepts connections.
    public func startSSHD(_ hostName: String) throws {
        _ = try host(named: hostName)
        try SandboxScript.runChecked(["start-sshd", directory, hostName])
        let manifest = try Self.readManifest(directory)
        lock.lock()
        currentHosts = manifest.hosts
        lock.unlock()
    }

    // MARK: - Availability

    /// Whether this machine can run sandboxes: root, and the tools scripts/sandbox uses.
    public static var isAvailable: Bool { unavailableReason == nil }

    /// Why this machine cannot run sandboxes, or nil when it can.
    public static var unavailableReason: String? {
        if getuid() != 0 { return "it needs root (network namespaces, mounts, sshd)" }
        let missing = requiredTools.filter { tool in
            !searchPath.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + tool) }
        }
        if !missing.isEmpty {
            return "missing programs: \(missing.joined(separator: ", ")) (scripts/install-deps installs them)"
        }
        if !FileManager.default.isExecutableFile(atPath: SandboxScript.path) {
            return "\(SandboxScript.path) is missing or not executable"
        }
        return nil
    }

    static let requiredTools = [
        "bash", "ip", "unshare", "nsenter", "setsid", "flock", "findmnt", "mount", "mknod",
        "sshd", "ssh-keygen", "iptables-restore", "iptables-save", "setfattr",
    ]
    static let searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    // MARK: - Helpers

    /// "SandboxTests" -> "SandboxTests_1a2b": letters, digits and '_' only, as the script wants.
    static func uniqueName(_ requested: String, pid: Int32 = getpid()) -> String {
        cleanedName(requested) + "_" + String(pid, radix: 36)
    }

    static func cleanedName(_ requested: String) -> String {
        let cleaned = String(requested.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(30))
        return cleaned.isEmpty ? "sandbox" : cleaned
    }

    /// Where scripts/sandbox registers live sandboxes: one file per name, holding its folder.
    static let registry = "/run/crucible-sandbox"

    /// Takes down the sandboxes of this name that test processes which no longer exist left
    /// behind (killed mid-test), so they do not pile up between runs of `scripts/sandbox clean`.
    static func removeSandboxesOfDeadRuns(of requested: String) throws {
        let prefix = cleanedName(requested) + "_"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: registry)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count), radix: 36), pid != getpid(),
                  !FileManager.default.fileExists(atPath: "/proc/\(pid)") else { continue }
            let registered = try? String(contentsOfFile: registry + "/" + entry, encoding: .utf8)
            let directory = registered?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !directory.isEmpty else { continue }
            try SandboxScript.runChecked(["down", entry, directory])
        }
    }

    static func readManifest(_ directory: String) throws -> SandboxManifest {
        let path = directory + "/hosts.json"
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(SandboxManifest.self, from: data)
        } catch {
            throw SandboxError.manifest(path: path, reason: String(describing: error))
        }
    }
}
