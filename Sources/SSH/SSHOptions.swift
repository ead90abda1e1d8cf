import Foundation
import Interpreter

/// How crucible connects over SSH. Defaults follow OpenSSH: ~/.ssh/config,
/// ~/.ssh/known_hosts, the agent, then ~/.ssh/id_ed25519 and ~/.ssh/id_ecdsa.
public struct SSHOptions: Sendable {
    /// Key files to try first (before the ssh config's IdentityFile and the defaults).
    public var identityFiles: [String]
    /// The known_hosts file to check and extend; nil: the ssh config's
    /// UserKnownHostsFile, else ~/.ssh/known_hosts.
    public var knownHostsFile: String?
    /// Record the key of a host not in known_hosts yet, instead of refusing it.
    /// A changed key is refused regardless.
    public var acceptNewHostKeys: Bool
    /// Passwords and key passphrases (terminal prompt or environment).
    public var secrets: any SecretSource
    /// Run every command through `sudo -n sh -c` (ignored when logging in as root).
    public var become: Bool
    /// Seconds for TCP connect + handshake + authentication.
    public var connectTimeout: Double
    /// Seconds a command may run when the caller gives no timeout; nil: no limit.
    public var commandTimeout: Double?
    /// Seconds of silence before a keepalive is sent; 0 turns keepalives off.
    public var keepaliveInterval: Int
    /// The ssh config file for host aliases; a missing file is fine.
    public var sshConfigPath: String
    /// Use ssh-agent when SSH_AUTH_SOCK is set.
    public var useAgent: Bool
    /// The user's home, for `~` and the defaults.
    public var home: String

    public init(
        identityFiles: [String] = [],
        knownHostsFile: String? = nil,
        acceptNewHostKeys: Bool = false,
        secrets: any SecretSource = EnvironmentSecretSource(),
        become: Bool = false,
        connectTimeout: Double = 10,
        commandTimeout: Double? = nil,
        keepaliveInterval: Int = 30,
        sshConfigPath: String? = nil,
        useAgent: Bool = true,
        home: String = NSHomeDirectory()
    ) {
        self.identityFiles = identityFiles
        self.knownHostsFile = knownHostsFile
        self.acceptNewHostKeys = acceptNewHostKeys
        self.secrets = secrets
        self.become = become
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.keepaliveInterval = keepaliveInterval
        self.sshConfigPath = sshConfigPath ?? home + "/.ssh/config"
        self.useAgent = useAgent
        self.home = home
    }
}

/// A host target with the ssh config applied: where to connect, as whom, with which keys.
/// Explicit values (in the target or the options) win over the config, as on ssh's
/// command line.
struct SSHEndpoint: Sendable, Equatable {
    var address: String
    var port: Int
    var user: String
    var keyFiles: [KeyFile]
    var knownHostsFile: String
    var connectTimeout: Double

    struct KeyFile: Sendable, Equatable {
        var path: String
        var explicit: Bool
    }

    init(target: HostTarget, options: SSHOptions, localUser: String = SSHEndpoint.currentUser()) {
        let config = SSHConfig(path: options.sshConfigPath)
            .settings(for: target.address, localUser: localUser, home: options.home)
        address = config.hostName ?? target.address
        port = target.port ?? config.port ?? 22
        user = target.user ?? config.user ?? localUser
        let expand = { (path: String) in
            SSHConfig.expand(path, home: options.home, localUser: localUser, remoteUser: target.user ?? config.user ?? localUser, host: config.hostName ?? target.address)
        }
        var files = options.identityFiles.map { KeyFile(path: expand($0), explicit: true) }
        files += config.identityFiles.map { KeyFile(path: $0, explicit: true) }
        files += ["id_ed25519", "id_ecdsa"].map { KeyFile(path: options.home + "/.ssh/" + $0, explicit: false) }
        var seen = Set<String>()
        keyFiles = files.filter { seen.insert($0.path).inserted }
        knownHostsFile = options.knownHostsFile.map(expand) ?? config.knownHostsFile ?? options.home + "/.ssh/known_hosts"
        connectTimeout = options.connectTimeout
    }

    /// `address port N` for messages (the port only when it is not 22).
    var place: String { port == 22 ? address : "\(address) port \(port)" }

    static func currentUser() -> String {
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
