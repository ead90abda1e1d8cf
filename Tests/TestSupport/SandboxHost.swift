import Interpreter

/// One host of a running sandbox, as `scripts/sandbox up` describes it in DIR/hosts.json.
public struct SandboxHost: Codable, Sendable, Equatable {
    /// The host name (also its hostname and its alias in the sandbox's ssh_config).
    public let name: String
    /// The fixture release it imitates: rhel6, rhel7 (7.0), rhel7.4, centos7, fedora20 or fedora21.
    public let distro: String
    /// Its IPv4 address on the sandbox's bridge, reachable from this machine.
    public let address: String
    public let port: Int
    /// Its network namespace (for `ip netns exec` from a test).
    public let netns: String
    /// The pid of its sshd listener (changes after `startSSHD`).
    public let sshdPID: Int32
    /// DIR/HOST: the host's folder on this machine.
    public let dir: String
    /// The host's /etc as the host sees it, mounted on this machine: read and write it directly.
    public let etc: String
    /// The stubs' state folder: calls.log, services/, selinux/, firewalld/, mounts, exports.
    public let state: String
    /// sshd's log (LogLevel VERBOSE).
    public let sshdLog: String
    /// "ADDRESS ssh-ed25519 KEY": the host's entry in the sandbox's known_hosts.
    public let knownHostsLine: String

    enum CodingKeys: String, CodingKey {
        case name, distro, address, port, netns, dir, etc, state
        case sshdPID = "sshd_pid"
        case sshdLog = "sshd_log"
        case knownHostsLine = "known_hosts_line"
    }

    /// How a recipe or transport names this host: root at its address, shown by its name.
    public var target: HostTarget {
        HostTarget(user: "root", address: address, port: port, displayName: name)
    }

    /// A path of the host's /etc (`relativePath` below /etc) as a path on this machine.
    public func etcPath(_ relativePath: String) -> String {
        etc + "/" + relativePath
    }
}

/// DIR/hosts.json as a whole.
struct SandboxManifest: Codable, Sendable {
    let name: String
    let identity: String
    let knownHosts: String
    let sshConfig: String
    let hosts: [SandboxHost]

    enum CodingKeys: String, CodingKey {
        case name, identity, hosts
        case knownHosts = "known_hosts"
        case sshConfig = "ssh_config"
    }
}
