import Foundation
import CLibSSH2

/// What the known_hosts file says about a presented host key.
enum HostKeyCheck: Equatable {
    case match
    /// The host is known with another key of this type, recorded on `line` (1-based).
    case mismatch(line: Int?)
    case notFound
}

/// A known_hosts file loaded into libssh2's known-hosts store (hashed `|1|` entries and
/// `[host]:port` entries included). Lines are fed one by one, rather than with
/// `libssh2_knownhost_readfile`, so that a line libssh2 cannot parse (a certificate
/// authority, an unsupported key type) is skipped instead of ending the load, and so
/// that every entry keeps its line number for the "remove line N" advice.
final class KnownHostsFile {
    let path: String
    private let scratch: OpaquePointer
    private let store: OpaquePointer
    private var lineOfEntry: [UnsafeMutableRawPointer: Int] = [:]

    init(path: String) throws {
        LibSSH2.initializeOnce()
        self.path = path
        guard let scratch = crucible_session_init() else {
            throw SSHError(LIBSSH2_ERROR_ALLOC, "cannot allocate a session for known_hosts")
        }
        guard let store = libssh2_knownhost_init(scratch) else {
            libssh2_session_free(scratch)
            throw SSHError(LIBSSH2_ERROR_ALLOC, "cannot allocate the known_hosts store")
        }
        self.scratch = scratch
        self.store = store
        load()
    }

    deinit {
        libssh2_knownhost_free(store)
        libssh2_session_free(scratch)
    }

    /// Checks a raw host key blob for `host` on `port`.
    func check(host: String, port: Int, key: [UInt8], type: HostKeyType) -> HostKeyCheck {
        let mask = crucible_knownhost_plain_base64(type.knownHostKeyBits)
        let encoded = Data(key).base64EncodedString()
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = libssh2_knownhost_checkp(store, host, Int32(port), encoded, encoded.utf8.count, mask, &entry)
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return .mismatch(line: entry.flatMap { lineOfEntry[$0.pointee.node] })
        default: return .notFound
        }
    }

    /// The key types recorded for this host: any key of the right type that is not the
    /// probe itself comes back as a mismatch.
    func knownTypes(host: String, port: Int) -> [HostKeyType] {
        HostKeyType.allCases.filter { type in
            let mask = crucible_knownhost_plain_base64(type.knownHostKeyBits)
            let probe = "crucible-probe"
            return libssh2_knownhost_checkp(store, host, Int32(port), probe, probe.utf8.count, mask, nil)
                == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
        }
    }

    /// The host key algorithm preference for the handshake: the types known_hosts holds
    /// for this host first (libssh2 1.10 would otherwise pick ECDSA and report a host
    /// known only by its ed25519 key as unknown), then every other supported algorithm,
    /// ed25519 first as in OpenSSH, so a new host is recorded by the key `ssh` records.
    func preferredMethods(host: String, port: Int) -> String? {
        let supported = supportedHostKeyAlgorithms()
        let known = knownTypes(host: host, port: port) + [.ed25519]
        let first = known.flatMap(\.methodNames).filter(supported.contains)
        guard !first.isEmpty else { return nil }
        var seen = Set<String>()
        return (first + supported).filter { seen.insert($0).inserted }.joined(separator: ",")
    }

    private func supportedHostKeyAlgorithms() -> [String] {
        var algorithms: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        let count = libssh2_session_supported_algs(scratch, LIBSSH2_METHOD_HOSTKEY, &algorithms)
        guard count > 0, let algorithms else { return HostKeyType.allCases.flatMap(\.methodNames) }
        defer { libssh2_free(scratch, algorithms) }
        return (0..<Int(count)).compactMap { algorithms[$0].map { String(cString: $0) } }
    }

    // MARK: - Loading

    private func load() {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        var last: UnsafeMutablePointer<libssh2_knownhost>?
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("@") { continue }
            guard libssh2_knownhost_readline(store, line, line.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0 else { continue }
            last = recordNewEntries(after: last, line: index + 1)
        }
    }

    /// Walks the entries added since `last` (one line may add several: `host1,host2 key`).
    private func recordNewEntries(
        after last: UnsafeMutablePointer<libssh2_knownhost>?, line: Int
    ) -> UnsafeMutablePointer<libssh2_knownhost>? {
        var current = last
        var next: UnsafeMutablePointer<libssh2_knownhost>?
        while libssh2_knownhost_get(store, &next, current) == 0, let entry = next {
            lineOfEntry[entry.pointee.node] = line
            current = entry
        }
        return current
    }
}
