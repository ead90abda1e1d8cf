import Foundation
import HostIO

/// Checks the presented host key against known_hosts, OpenSSH style: a known key goes on,
/// an unknown host is refused (or recorded with `acceptNew`); a changed key, a revoked key
/// and a host known only through a certificate authority are always refused.
struct HostKeyVerifier {
    let knownHostsPath: String
    let acceptNew: Bool
    /// The run's known_hosts files: a recorded key goes through it, so the run's other
    /// connections see it.
    let store: KnownHostsStore

    func verify(_ key: PresentedHostKey, known: KnownHostsFile, host: String, port: Int) throws {
        let message = Messages(key: key, file: knownHostsPath, host: host, port: port)
        switch known.check(key: key.blob, type: key.type) {
        case .match:
            return
        case .revoked(let line):
            throw ConnectFailure.hostKey(message.revoked(line: line))
        case .changed(let line, let knownType):
            throw ConnectFailure.hostKey(message.changed(line: line, knownType: knownType))
        case .certificateAuthorityOnly(let line):
            throw ConnectFailure.hostKey(message.certificateAuthorityOnly(line: line))
        case .notFound:
            guard acceptNew else { throw ConnectFailure.hostKey(message.unknown()) }
            try store.append(key.knownHostsLine(host: host, port: port), to: knownHostsPath)
        }
    }
}

/// What each refusal says: what was found, why it matters, and the command that fixes it.
private struct Messages {
    let key: PresentedHostKey
    let file: String
    let host: String
    let port: Int

    /// "127.0.0.1", or "127.0.0.1 port 2222".
    private var place: String { port == 22 ? host : "\(host) port \(port)" }
    /// "ED25519 key SHA256:...".
    private var presented: String { "\(key.type.shortName.uppercased()) key \(key.fingerprint)" }
    private var keyscan: String {
        "ssh-keyscan \(port == 22 ? "" : "-p \(port) ")-t \(key.type.shortName) \(host) >> \(file)"
    }

    func unknown() -> String {
        """
        the host key of \(place) is not known: \(presented) is not in \(file). If you trust this \
        fingerprint, rerun with --accept-new-host-keys, or record it with: \(keyscan)
        """
    }

    func changed(line: Int, knownType: String) -> String {
        let old = HostKeyType(keyName: knownType).map { $0.shortName.uppercased() } ?? knownType
        let what = knownType == key.algorithmName
            ? "another \(old) key"
            : "its \(old) key (a host known by one key type that presents another counts as changed)"
        let field = ShellQuote.quote(KnownHostsFile.hostField(host: host, port: port))
        return """
        WARNING: the host key of \(place) has changed: it presents \(presented), but known_hosts \
        line \(file):\(line) holds \(what). Someone could be eavesdropping on you right now \
        (man-in-the-middle attack), or the host key was replaced. Refusing to connect, even with \
        --accept-new-host-keys. If the change is expected, remove the old key with \
        ssh-keygen -R \(field) -f \(file) and connect again.
        """
    }

    func revoked(line: Int) -> String {
        """
        the host key of \(place) is REVOKED: \(presented) is marked @revoked on known_hosts line \
        \(file):\(line). Refusing to connect: whoever holds a revoked key may be impersonating \
        the host. If the host has a new key, check its fingerprint and record it.
        """
    }

    func certificateAuthorityOnly(line: Int) -> String {
        """
        \(place) is known only through a host certificate authority (@cert-authority on \
        known_hosts line \(file):\(line)), and crucible does not support host certificates \
        (libssh2 cannot verify them). Refusing to connect. Record the host's plain key instead: \
        check that \(presented) is the host's, then run: \(keyscan)
        """
    }
}
