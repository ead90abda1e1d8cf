import Foundation
import CLibSSH2

/// What the known_hosts file says about a presented host key, checked as strictly as
/// OpenSSH does. Lines are 1-based.
enum HostKeyCheck: Equatable {
    case match
    /// An `@revoked` line for this host holds this very key (even if another line accepts it).
    case revoked(line: Int)
    /// The host is known, by other keys only: another key of the same type, or keys of
    /// other types only (a host known by ed25519 that presents ECDSA). `line` is the
    /// entry to remove if the change is expected, one of the presented type when there is one.
    case changed(line: Int, knownType: String)
    /// Only `@cert-authority` lines name this host: crucible cannot check host certificates.
    case certificateAuthorityOnly(line: Int)
    case notFound
}

/// What a known_hosts file says about one host: the lines whose host field matches it,
/// parsed by crucible itself (libssh2's parser knows no markers, no wildcards or negation,
/// and compares keys of one type only). The file is read once per run by the run's
/// `KnownHostsStore`, which hands each connection the lines about its host.
struct KnownHostsFile {
    let path: String
    /// The lines about the host, in file order.
    let entries: [KnownHostsEntry]

    init(path: String, entries: [KnownHostsEntry]) {
        self.path = path
        self.entries = entries
    }

    /// The lines of a whole file's bytes about one host.
    init(path: String, bytes: [UInt8], host: String, port: Int) {
        self.init(path: path, entries: KnownHostsIndex(bytes).entries(about: Self.hostField(host: host, port: port)))
    }

    /// How known_hosts names a host: bare on port 22, `[host]:port` otherwise; lowercase,
    /// as OpenSSH looks names up (and hashes them).
    static func hostField(host: String, port: Int) -> String {
        let host = host.lowercased()
        return port == 22 ? host : "[\(host)]:\(port)"
    }

    /// Checks a raw host key blob: a revoked key is refused first, then any plain line with
    /// the same key accepts it; any other plain line makes it a changed key;
    /// `@cert-authority` lines alone cannot be checked.
    func check(key: [UInt8], type: HostKeyType) -> HostKeyCheck {
        if let revoked = entries.first(where: { $0.marker == .revoked && $0.key == key }) {
            return .revoked(line: revoked.line)
        }
        let plain = entries.filter { $0.marker == .none }
        if plain.contains(where: { $0.key == key }) { return .match }
        if let old = plain.first(where: { $0.type == type }) ?? plain.first {
            return .changed(line: old.line, knownType: old.keyName)
        }
        if let authority = entries.first(where: { $0.marker == .certAuthority }) {
            return .certificateAuthorityOnly(line: authority.line)
        }
        return .notFound
    }

    /// The host key algorithm preference for the handshake: the types known_hosts holds
    /// for the host first (libssh2 1.10 would otherwise pick ECDSA, and a host known by
    /// its ed25519 key would present a key of another type: a changed key), then every
    /// other supported algorithm, ed25519 first as in OpenSSH, so a new host is recorded
    /// by the key `ssh` records.
    func preferredMethods() -> String? {
        let supported = Self.supportedAlgorithms
        let known = entries.filter { $0.marker == .none }.compactMap(\.type) + [.ed25519]
        let first = known.flatMap(\.methodNames).filter(supported.contains)
        guard !first.isEmpty else { return nil }
        var seen = Set<String>()
        return (first + supported).filter { seen.insert($0).inserted }.joined(separator: ",")
    }

    /// The host key algorithms this libssh2 can negotiate.
    private static var supportedAlgorithms: [String] { LibSSH2.supportedAlgorithms(LIBSSH2_METHOD_HOSTKEY) }
}
