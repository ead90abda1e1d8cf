import CLibSSH2

/// The host key algorithms crucible knows how to check, with their names in the places
/// they appear: libssh2's session API, the algorithm names negotiated in the handshake,
/// and the key type field of known_hosts (the name inside the key blob).
enum HostKeyType: CaseIterable, Sendable {
    case ed25519, ecdsa256, ecdsa384, ecdsa521, rsa, dss

    /// From `libssh2_session_hostkey`'s `LIBSSH2_HOSTKEY_TYPE_*`.
    init?(sessionType: Int32) {
        switch sessionType {
        case LIBSSH2_HOSTKEY_TYPE_ED25519: self = .ed25519
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: self = .ecdsa256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: self = .ecdsa384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: self = .ecdsa521
        case LIBSSH2_HOSTKEY_TYPE_RSA: self = .rsa
        case LIBSSH2_HOSTKEY_TYPE_DSS: self = .dss
        default: return nil
        }
    }

    /// From the key type field of a known_hosts line (the name inside the key blob).
    init?(keyName: String) {
        guard let type = Self.allCases.first(where: { $0.methodNames.last == keyName }) else { return nil }
        self = type
    }

    /// Handshake algorithm names, best first; the last one is the key's own name.
    var methodNames: [String] {
        switch self {
        case .ed25519: return ["ssh-ed25519"]
        case .ecdsa256: return ["ecdsa-sha2-nistp256"]
        case .ecdsa384: return ["ecdsa-sha2-nistp384"]
        case .ecdsa521: return ["ecdsa-sha2-nistp521"]
        case .rsa: return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
        case .dss: return ["ssh-dss"]
        }
    }

    /// The name `ssh-keyscan -t` takes and users read in messages.
    var shortName: String {
        switch self {
        case .ed25519: return "ed25519"
        case .ecdsa256, .ecdsa384, .ecdsa521: return "ecdsa"
        case .rsa: return "rsa"
        case .dss: return "dsa"
        }
    }
}
