import Foundation

/// What crucible can tell about a private key file without decrypting it: its algorithm
/// (to explain an RSA failure) and whether it needs a passphrase (to ask only then).
struct PrivateKeyFile {
    enum Algorithm: String {
        case ed25519, ecdsa, rsa, dsa, unknown
    }

    let path: String
    let algorithm: Algorithm
    let isEncrypted: Bool

    /// Nil when the file does not exist or cannot be read.
    init?(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        self.path = path
        if text.contains("BEGIN OPENSSH PRIVATE KEY") {
            let header = Self.openSSHHeader(text)
            algorithm = header.algorithm
            isEncrypted = header.encrypted
        } else {
            algorithm = Self.pemAlgorithm(text)
            isEncrypted = text.contains("ENCRYPTED")
        }
    }

    /// The public key file beside it, when there is one (libssh2 derives it otherwise).
    var publicKeyPath: String? {
        FileManager.default.fileExists(atPath: path + ".pub") ? path + ".pub" : nil
    }

    private static func pemAlgorithm(_ text: String) -> Algorithm {
        if text.contains("BEGIN RSA PRIVATE KEY") { return .rsa }
        if text.contains("BEGIN EC PRIVATE KEY") { return .ecdsa }
        if text.contains("BEGIN DSA PRIVATE KEY") { return .dsa }
        return .unknown
    }

    /// Reads the clear part of the `openssh-key-v1` format: magic, cipher name, KDF name,
    /// KDF options, key count, then the public key blob whose first string is its type.
    private static func openSSHHeader(_ text: String) -> (algorithm: Algorithm, encrypted: Bool) {
        let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return (.unknown, false) }
        var reader = BlobReader(bytes: Array(data))
        let magic = "openssh-key-v1\0"
        guard reader.skip(magic.utf8.count) == Array(magic.utf8) else { return (.unknown, false) }
        let cipher = reader.string() ?? "none"
        _ = reader.string()
        _ = reader.string()
        _ = reader.uint32()
        var publicKey = BlobReader(bytes: reader.bytesField() ?? [])
        let type = publicKey.string() ?? ""
        let algorithm: Algorithm
        switch true {
        case type.contains("ed25519"): algorithm = .ed25519
        case type.hasPrefix("ecdsa"): algorithm = .ecdsa
        case type.contains("rsa"): algorithm = .rsa
        case type.contains("dss"): algorithm = .dsa
        default: algorithm = .unknown
        }
        return (algorithm, cipher != "none")
    }
}

/// Reads SSH wire-format fields (big-endian uint32 lengths) from a byte array.
struct BlobReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func skip(_ count: Int) -> [UInt8]? {
        guard offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func uint32() -> Int? {
        skip(4).map { $0.reduce(0) { $0 << 8 | Int($1) } }
    }

    mutating func bytesField() -> [UInt8]? {
        guard let length = uint32() else { return nil }
        return skip(length)
    }

    mutating func string() -> String? {
        bytesField().map { String(decoding: $0, as: UTF8.self) }
    }
}
