import Foundation
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// Why a key exchange failed (LIBSSH2_ERROR_KEX_FAILURE: libssh2 says no more), told from
/// what each side offered: the server's lists are read from its first message
/// (SSH_MSG_KEXINIT, sent in the clear) on a connection of their own, and set against
/// the lists crucible offered. The common cause: a server whose only host key is RSA and
/// that refuses SHA-1 `ssh-rsa` signatures (OpenSSH 8.8+), the only RSA signature
/// libssh2 1.10 can verify.
struct KeyExchangeFailure {
    let endpoint: SSHEndpoint
    let options: SSHOptions
    let error: SSHError
    /// The lists crucible offered, by libssh2 method type (absent: all libssh2 has).
    let methods: [Int32: String]

    func explain(deadline: Deadline) -> String {
        let start = "the SSH handshake with \(endpoint.place) failed: \(error)"
        guard let offer = try? ServerKeyExchangeOffer.read(
            from: SSHConnector(endpoint: endpoint, options: options).openLink(deadline: deadline), deadline: deadline)
        else {
            return start + ". The server and libssh2 1.10 have no algorithm in common; see docs/ssh.md (host key types by release)"
        }
        let kinds: [(what: String, keyword: String, method: Int32, server: [String])] = [
            ("host key type", "HostKeyAlgorithms", LIBSSH2_METHOD_HOSTKEY, offer.hostKeys),
            ("key exchange method", "KexAlgorithms", LIBSSH2_METHOD_KEX, offer.kex),
            ("cipher", "Ciphers", LIBSSH2_METHOD_CRYPT_CS, offer.ciphers),
            ("MAC", "MACs", LIBSSH2_METHOD_MAC_CS, offer.macs),
        ]
        for kind in kinds {
            let ours = methods[kind.method]?.split(separator: ",").map(String.init) ?? LibSSH2.supportedAlgorithms(kind.method)
            guard !ours.contains(where: kind.server.contains) else { continue }
            var text = "\(start): no \(kind.what) in common. The server offers \(kind.server.joined(separator: ", ")); "
                + "crucible (libssh2 1.10) offers \(ours.joined(separator: ", "))"
            if endpoint.algorithms[kind.method] != nil { text += " (cut to the ssh config's \(kind.keyword) for this host)" }
            text += ". "
            if kind.method == LIBSSH2_METHOD_HOSTKEY && kind.server.allSatisfy({ $0.hasPrefix("rsa-sha2-") || $0.contains("-cert-") }) {
                text += Self.rsaOnlyAdvice
            } else {
                text += "Allow one of crucible's on the server (\(kind.keyword) in its sshd_config), or reach it with ssh instead."
            }
            return text
        }
        return start + ". The server offers host keys \(offer.hostKeys.joined(separator: ", ")), key exchange "
            + "\(offer.kex.joined(separator: ", ")); see docs/ssh.md (host key types by release)"
    }

    static let rsaOnlyAdvice = """
        The server's only host key is RSA and it refuses SHA-1 (ssh-rsa) signatures, as OpenSSH 8.8 and later do; \
        SHA-1 is the only RSA signature libssh2 1.10 can verify. Fix it on the server: add an ed25519 host key \
        (OpenSSH 6.5 and later: ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key, a line \
        `HostKey /etc/ssh/ssh_host_ed25519_key` in sshd_config, then reload sshd), or an ECDSA one on older \
        releases; or, weaker, allow SHA-1 host key signatures with `HostKeyAlgorithms +ssh-rsa` in its sshd_config. \
        docs/ssh.md lists the key types of each release.
        """
}

/// The algorithm lists of a server's SSH_MSG_KEXINIT.
struct ServerKeyExchangeOffer: Equatable {
    var kex: [String]
    var hostKeys: [String]
    var ciphers: [String]
    var macs: [String]

    /// Sends a version line, reads the server's, then its first packet.
    static func read(from link: SocketLink, deadline: Deadline) throws -> ServerKeyExchangeOffer {
        let hello = Array("SSH-2.0-crucible_probe\r\n".utf8)
        _ = hello.withUnsafeBytes { send(link.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            if let offer = try parse(received) { return offer }
            var descriptor = pollfd(fd: link.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, deadline.pollMilliseconds()) > 0 else { throw deadline.timedOut }
            let count = recv(link.fd, &buffer, buffer.count, 0)
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count > 0, received.count < 1 << 20 else { throw SSHError(LIBSSH2_ERROR_SOCKET_RECV, "the server closed the connection") }
            received += buffer[0..<count]
        }
    }

    /// Nil until the version line and a whole packet are there.
    static func parse(_ bytes: [UInt8]) throws -> ServerKeyExchangeOffer? {
        var start = 0
        // Lines before the version line are allowed; the version line starts with "SSH-".
        while true {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let isVersion = bytes[start...].starts(with: Array("SSH-".utf8))
            start = newline + 1
            if isVersion { break }
        }
        var reader = ByteReader(bytes: Array(bytes[start...]))
        guard let length = reader.uint32(), reader.remaining >= Int(length) else { return nil }
        guard let padding = reader.byte(), reader.byte() == 20, reader.skip(16) else {
            throw SSHError(LIBSSH2_ERROR_PROTO, "the server's first packet is not a key exchange offer")
        }
        _ = padding
        var lists: [[String]] = []
        for _ in 0..<6 {
            guard let list = reader.nameList() else { throw SSHError(LIBSSH2_ERROR_PROTO, "the server's key exchange offer is cut short") }
            lists.append(list)
        }
        return ServerKeyExchangeOffer(kex: lists[0], hostKeys: lists[1], ciphers: lists[2], macs: lists[4])
    }
}

/// Reads SSH wire types (RFC 4251) off a byte array.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { bytes.count - offset }

    mutating func byte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        offset += 1
        return bytes[offset - 1]
    }

    mutating func skip(_ count: Int) -> Bool {
        guard remaining >= count else { return false }
        offset += count
        return true
    }

    mutating func uint32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func nameList() -> [String]? {
        guard let length = uint32(), remaining >= Int(length) else { return nil }
        let text = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
        offset += Int(length)
        return text.split(separator: ",").map(String.init)
    }
}
