import Interpreter
import SSH

/// Picks the transport for each host: `local` runs here, everything else over SSH with
/// one connection per host for the whole run.
enum TransportChoice {
    static func factory(_ options: ConnectionOptions) throws -> TransportFactory {
        let ssh = sshOptions(options)
        return { target in
            if target.isLocal { return LocalTransport(target: target) }
            return SSHTransport(target: target, options: ssh)
        }
    }

    static func sshOptions(_ options: ConnectionOptions) -> SSHOptions {
        // The terminal prompt is only used when asked for (or when a key needs its passphrase
        // and stdin is a terminal); the environment variables work everywhere.
        let secrets: any SecretSource = options.askPass || Terminal.stdinIsTerminal
            ? TerminalSecretSource() : EnvironmentSecretSource()
        return SSHOptions(
            identityFiles: options.identity,
            knownHostsFile: options.knownHosts,
            acceptNewHostKeys: options.acceptNewHostKeys,
            secrets: secrets,
            become: options.become,
            connectTimeout: options.connectTimeout,
            keepaliveInterval: max(0, options.keepalive),
            sshConfigPath: options.sshConfig)
    }
}
