import Foundation
import CLibSSH2
import Interpreter

/// Checks the presented host key against known_hosts, OpenSSH style: a known key goes on,
/// an unknown host is refused (or recorded with `acceptNew`), a changed key is always
/// refused, loudly.
struct HostKeyVerifier {
    let knownHostsPath: String
    let acceptNew: Bool

    func verify(_ key: PresentedHostKey, known: KnownHostsFile, host: String, port: Int) throws {
        let place = port == 22 ? host : "\(host) port \(port)"
        switch known.check(host: host, port: port, key: key.blob, type: key.type) {
        case .match:
            return
        case .mismatch(let line):
            throw ConnectFailure.hostKey(changedMessage(key, place: place, host: host, port: port, line: line))
        case .notFound:
            guard acceptNew else { throw ConnectFailure.hostKey(unknownMessage(key, place: place, host: host, port: port)) }
            try KnownHostsAppender.append(key.knownHostsLine(host: host, port: port), to: knownHostsPath)
        }
    }

    private func unknownMessage(_ key: PresentedHostKey, place: String, host: String, port: Int) -> String {
        let portFlag = port == 22 ? "" : "-p \(port) "
        return """
        the host key of \(place) is not known: \(key.type.shortName.uppercased()) key \(key.fingerprint) \
        is not in \(knownHostsPath). If you trust this fingerprint, rerun with --accept-new-host-keys, \
        or record it with: ssh-keyscan \(portFlag)-t \(key.type.shortName) \(host) >> \(knownHostsPath)
        """
    }

    private func changedMessage(_ key: PresentedHostKey, place: String, host: String, port: Int, line: Int?) -> String {
        let oldLine = line.map { "line \($0) of \(knownHostsPath)" } ?? "the old entry in \(knownHostsPath)"
        return """
        WARNING: the host key for \(place) has CHANGED: it is now \(key.type.shortName.uppercased()) key \
        \(key.fingerprint), which does not match \(oldLine). Someone could be eavesdropping on you \
        right now (possible man-in-the-middle attack), or the host was reinstalled. Refusing to connect. \
        If the change is expected, remove the old \(oldLine) \
        (ssh-keygen -R \(ShellQuote.quote(KnownHostsFile.hostField(host: host, port: port))) -f \(knownHostsPath)) \
        and connect again.
        """
    }
}

extension KnownHostsFile {
    /// How known_hosts names a host: bare on port 22, `[host]:port` otherwise.
    static func hostField(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }
}
