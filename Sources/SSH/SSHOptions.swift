import Foundation
import HostIO

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
    /// The OpenSSH client that resolves host aliases (`ssh -G`), as `ssh ALIAS` would;
    /// nil: crucible's built-in reader. Default: `ssh` found in PATH.
    public var sshProgram: String?
    /// The jump hosts (ProxyJump) of the run, each one connection shared by every host
    /// behind it. Copies of these options share it.
    public let jumpHosts: JumpHostPool
    /// The known_hosts files of the run, each read once and shared by every connection
    /// (`KnownHostsStore`). Copies of these options share it.
    public let knownHosts: KnownHostsStore
    /// The ssh config files the built-in reader parsed, each once per run
    /// (`SSHConfigStore`). Copies of these options share it.
    let sshConfigs: SSHConfigStore
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
        home: String = NSHomeDirectory(),
        sshProgram: String? = SSHOptions.installedOpenSSH
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
        self.sshProgram = sshProgram
        jumpHosts = JumpHostPool()
        knownHosts = KnownHostsStore()
        sshConfigs = SSHConfigStore()
    }

    /// The `ssh` program in PATH, if an OpenSSH client is installed.
    public static let installedOpenSSH: String? = ChildProcess.locate("ssh")

    /// The config file to hand `ssh -G`: nil when it is the one ssh reads by itself (then
    /// /etc/ssh/ssh_config applies too, as for `ssh ALIAS`), /dev/null for a missing one.
    var sshConfigForOpenSSH: String? {
        if let name = getpwuid(geteuid())?.pointee.pw_dir, sshConfigPath == String(cString: name) + "/.ssh/config" {
            return nil
        }
        return FileManager.default.fileExists(atPath: sshConfigPath) ? sshConfigPath : "/dev/null"
    }
}
