import Foundation
import CLibSSH2

/// The host key a server presented in the handshake.
struct PresentedHostKey {
    let blob: [UInt8]
    let type: HostKeyType
    /// `SHA256:` and the unpadded base64 of the key's SHA-256, like OpenSSH prints it.
    let fingerprint: String

    init(session: SSHSession) throws {
        var length = 0
        var rawType: Int32 = 0
        guard let key = libssh2_session_hostkey(session.handle, &length, &rawType), length > 0 else {
            throw ConnectFailure.hostKey("the server presented no host key")
        }
        guard let type = HostKeyType(sessionType: rawType) else {
            throw ConnectFailure.hostKey("the server's host key type (\(rawType)) is not supported")
        }
        blob = key.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        self.type = type
        let digest = libssh2_hostkey_hash(session.handle, LIBSSH2_HOSTKEY_HASH_SHA256)
        let bytes = digest.map { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: 32) { Array(UnsafeBufferPointer(start: $0, count: 32)) }
        } ?? []
        fingerprint = "SHA256:" + Data(bytes).base64EncodedString().replacingAll("=", with: "")
    }

    /// The algorithm name inside the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...).
    var algorithmName: String {
        KnownHostsEntry.keyName(inBlob: blob) ?? type.methodNames.last!
    }

    /// The known_hosts line that records this key for `host` on `port`.
    func knownHostsLine(host: String, port: Int) -> String {
        "\(KnownHostsFile.hostField(host: host, port: port)) \(algorithmName) \(Data(blob).base64EncodedString())"
    }
}
