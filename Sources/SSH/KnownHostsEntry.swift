import Foundation
import CLibSSH2

/// One line of a known_hosts file that could be parsed, as OpenSSH reads it:
/// `[@cert-authority|@revoked] HOSTS KEYTYPE BASE64 [comment]`.
///
/// Lines are bytes, never decoded as text: a comment in Latin-1 or any other encoding
/// changes nothing. A line that cannot be parsed (unknown marker, missing fields, bad
/// base64, a key type field that does not match the key) is skipped, like OpenSSH does,
/// and the other lines still count.
struct KnownHostsEntry {
    enum Marker: Equatable {
        case none
        case certAuthority
        case revoked
    }

    /// 1-based line number in the file.
    let line: Int
    let marker: Marker
    /// The key type as written (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...).
    let keyName: String
    /// The decoded key blob, as the server sends it in the handshake.
    let key: [UInt8]

    /// The key type when it is one crucible can negotiate.
    var type: HostKeyType? { HostKeyType(keyName: keyName) }

    /// Parses one line; nil when it cannot be parsed, or when its host field does not
    /// match `name` (checked before the key is decoded: most lines are about other hosts).
    init?(_ text: ArraySlice<UInt8>, line: Int, about name: String) {
        var fields = text.split(whereSeparator: Self.isBlank)[...]
        guard let first = fields.first, first.first != UInt8(ascii: "#") else { return nil }
        switch Array(first) {
        case Array("@cert-authority".utf8): marker = .certAuthority
        case Array("@revoked".utf8): marker = .revoked
        default:
            guard first.first != UInt8(ascii: "@") else { return nil }
            marker = .none
        }
        if marker != .none { fields = fields.dropFirst() }
        guard fields.count >= 3,
              let hosts = KnownHostsPattern(fields[fields.startIndex]), hosts.matches(name),
              let keyName = String(validating: fields[fields.startIndex + 1], as: UTF8.self),
              let key = Data(base64Encoded: Data(fields[fields.startIndex + 2])).map(Array.init),
              Self.keyName(inBlob: key) == keyName
        else { return nil }
        self.line = line
        self.keyName = keyName
        self.key = key
    }

    /// The algorithm name a key blob starts with (an SSH `string`: 4-byte length, bytes).
    static func keyName(inBlob blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return nil }
        return String(validating: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// Spaces and tabs separate fields; a CR before the newline (a file from Windows) is blank too.
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}

/// The host field of a known_hosts line, matched as OpenSSH matches it.
enum KnownHostsPattern {
    /// `|1|SALT|HASH`: HMAC-SHA1 of the name, keyed with the salt.
    case hashed(salt: [UInt8], hash: [UInt8])
    /// A comma-separated list of patterns with `*` and `?`, each possibly negated with `!`.
    case patterns([(negated: Bool, pattern: [UInt8])])

    init?(_ field: ArraySlice<UInt8>) {
        if field.first == UInt8(ascii: "|") {
            let parts = field.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].isEmpty, Array(parts[1]) == [UInt8(ascii: "1")],
                  let salt = Data(base64Encoded: Data(parts[2])), let hash = Data(base64Encoded: Data(parts[3])),
                  hash.count == 20
            else { return nil }
            self = .hashed(salt: Array(salt), hash: Array(hash))
            return
        }
        self = .patterns(field.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { part in
            let negated = part.first == UInt8(ascii: "!")
            return (negated, Self.lowercased(negated ? part.dropFirst() : part))
        })
    }

    /// Whether the line is about `name` (`host`, or `[host]:port` off port 22): a hashed
    /// name is the same; a pattern list has a pattern that matches and no negated pattern
    /// that matches (a negated match excludes the name whatever else matches).
    func matches(_ name: String) -> Bool {
        let name = Self.lowercased(name.utf8)
        switch self {
        case .hashed(let salt, let hash):
            return Self.hmacSHA1(key: salt, message: name) == hash
        case .patterns(let patterns):
            var matched = false
            for (negated, pattern) in patterns where Self.glob(pattern[...], matches: name[...]) {
                if negated { return false }
                matched = true
            }
            return matched
        }
    }

    /// `*` is any run of bytes (empty too), `?` any one byte, anything else itself.
    /// Iterative, remembering the last `*` only: linear in practice, never exponential.
    static func glob(_ pattern: ArraySlice<UInt8>, matches name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, n = name.startIndex
        var star: (pattern: Int, name: Int)?
        while n < name.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = (p, n)
                p += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if let last = star {
                p = last.pattern + 1
                n = last.name + 1
                star = (last.pattern, last.name + 1)
            } else {
                return false
            }
        }
        return pattern[p...].allSatisfy { $0 == UInt8(ascii: "*") }
    }

    /// HMAC-SHA1 from libcrypto; nil if it fails (then no hashed name matches).
    static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8]? {
        var code = [UInt8](repeating: 0, count: 20)
        let status = crucible_hmac_sha1(key, Int32(clamping: key.count), message, message.count, &code)
        return status == 0 ? code : nil
    }

    static func lowercased(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }
}
