import ArgumentParser
import Interpreter

/// Options shared by every command that talks to hosts.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("Private key file (ed25519 or ECDSA); repeatable.", valueName: "FILE"), completion: .file())
    var identity: [String] = []

    @Option(name: .long, help: ArgumentHelp("known_hosts file to verify host keys against (default ~/.ssh/known_hosts).", valueName: "FILE"), completion: .file())
    var knownHosts: String?

    @Flag(name: .long, help: "Record the keys of hosts not yet known (like OpenSSH's StrictHostKeyChecking=accept-new). A changed key is always refused.")
    var acceptNewHostKeys = false

    @Option(name: .long, help: ArgumentHelp("ssh config file for host aliases (default ~/.ssh/config), resolved with `ssh -G -F FILE` when the OpenSSH client is installed.", valueName: "FILE"), completion: .file())
    var sshConfig: String?

    @Flag(name: .long, help: "Run commands and write files through `sudo -n` (for non-root users).")
    var become = false

    @Flag(name: .long, help: "Ask for an SSH password on the terminal (or set CRUCIBLE_SSH_PASSWORD).")
    var askPass = false

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a host to answer.", valueName: "SECONDS"))
    var connectTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("Seconds of silence before asking a host whether it is still there; after 3 unanswered asks its connection counts as lost (0: never ask).", valueName: "SECONDS"))
    var keepalive: Int = 30
}
