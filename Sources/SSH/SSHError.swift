import CLibSSH2
import Interpreter

/// A libssh2 failure: the library's error code (`LIBSSH2_ERROR_*`, negative) and its message.
/// One value per C error domain, like `Errno` in swift-system; `TransportError` is derived
/// from it at the public edge (`transportError(host:)`).
struct SSHError: Error, Sendable, CustomStringConvertible {
    let code: Int32
    let message: String

    init(_ code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The libssh2 name of the code, for messages and tests.
    var name: String { Self.names[code] ?? "LIBSSH2_ERROR_\(code)" }

    var description: String { "\(message) (\(name))" }

    /// True when the connection itself is gone (peer closed, reset, or the socket failed).
    var isConnectionLost: Bool {
        [LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND,
         LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV].contains(code)
    }

    var isTimeout: Bool { code == LIBSSH2_ERROR_TIMEOUT || code == LIBSSH2_ERROR_SOCKET_TIMEOUT }

    private static let names: [Int32: String] = [
        LIBSSH2_ERROR_SOCKET_NONE: "LIBSSH2_ERROR_SOCKET_NONE",
        LIBSSH2_ERROR_BANNER_RECV: "LIBSSH2_ERROR_BANNER_RECV",
        LIBSSH2_ERROR_BANNER_SEND: "LIBSSH2_ERROR_BANNER_SEND",
        LIBSSH2_ERROR_INVALID_MAC: "LIBSSH2_ERROR_INVALID_MAC",
        LIBSSH2_ERROR_KEX_FAILURE: "LIBSSH2_ERROR_KEX_FAILURE",
        LIBSSH2_ERROR_ALLOC: "LIBSSH2_ERROR_ALLOC",
        LIBSSH2_ERROR_SOCKET_SEND: "LIBSSH2_ERROR_SOCKET_SEND",
        LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE: "LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE",
        LIBSSH2_ERROR_TIMEOUT: "LIBSSH2_ERROR_TIMEOUT",
        LIBSSH2_ERROR_HOSTKEY_INIT: "LIBSSH2_ERROR_HOSTKEY_INIT",
        LIBSSH2_ERROR_HOSTKEY_SIGN: "LIBSSH2_ERROR_HOSTKEY_SIGN",
        LIBSSH2_ERROR_DECRYPT: "LIBSSH2_ERROR_DECRYPT",
        LIBSSH2_ERROR_SOCKET_DISCONNECT: "LIBSSH2_ERROR_SOCKET_DISCONNECT",
        LIBSSH2_ERROR_PROTO: "LIBSSH2_ERROR_PROTO",
        LIBSSH2_ERROR_PASSWORD_EXPIRED: "LIBSSH2_ERROR_PASSWORD_EXPIRED",
        LIBSSH2_ERROR_FILE: "LIBSSH2_ERROR_FILE",
        LIBSSH2_ERROR_METHOD_NONE: "LIBSSH2_ERROR_METHOD_NONE",
        LIBSSH2_ERROR_AUTHENTICATION_FAILED: "LIBSSH2_ERROR_AUTHENTICATION_FAILED",
        LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: "LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED",
        LIBSSH2_ERROR_CHANNEL_OUTOFORDER: "LIBSSH2_ERROR_CHANNEL_OUTOFORDER",
        LIBSSH2_ERROR_CHANNEL_FAILURE: "LIBSSH2_ERROR_CHANNEL_FAILURE",
        LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED: "LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED",
        LIBSSH2_ERROR_CHANNEL_UNKNOWN: "LIBSSH2_ERROR_CHANNEL_UNKNOWN",
        LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED: "LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED",
        LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED: "LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED",
        LIBSSH2_ERROR_CHANNEL_CLOSED: "LIBSSH2_ERROR_CHANNEL_CLOSED",
        LIBSSH2_ERROR_CHANNEL_EOF_SENT: "LIBSSH2_ERROR_CHANNEL_EOF_SENT",
        LIBSSH2_ERROR_SCP_PROTOCOL: "LIBSSH2_ERROR_SCP_PROTOCOL",
        LIBSSH2_ERROR_ZLIB: "LIBSSH2_ERROR_ZLIB",
        LIBSSH2_ERROR_SOCKET_TIMEOUT: "LIBSSH2_ERROR_SOCKET_TIMEOUT",
        LIBSSH2_ERROR_SFTP_PROTOCOL: "LIBSSH2_ERROR_SFTP_PROTOCOL",
        LIBSSH2_ERROR_REQUEST_DENIED: "LIBSSH2_ERROR_REQUEST_DENIED",
        LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: "LIBSSH2_ERROR_METHOD_NOT_SUPPORTED",
        LIBSSH2_ERROR_INVAL: "LIBSSH2_ERROR_INVAL",
        LIBSSH2_ERROR_INVALID_POLL_TYPE: "LIBSSH2_ERROR_INVALID_POLL_TYPE",
        LIBSSH2_ERROR_PUBLICKEY_PROTOCOL: "LIBSSH2_ERROR_PUBLICKEY_PROTOCOL",
        LIBSSH2_ERROR_EAGAIN: "LIBSSH2_ERROR_EAGAIN",
        LIBSSH2_ERROR_BUFFER_TOO_SMALL: "LIBSSH2_ERROR_BUFFER_TOO_SMALL",
        LIBSSH2_ERROR_BAD_USE: "LIBSSH2_ERROR_BAD_USE",
        LIBSSH2_ERROR_COMPRESS: "LIBSSH2_ERROR_COMPRESS",
        LIBSSH2_ERROR_OUT_OF_BOUNDARY: "LIBSSH2_ERROR_OUT_OF_BOUNDARY",
        LIBSSH2_ERROR_AGENT_PROTOCOL: "LIBSSH2_ERROR_AGENT_PROTOCOL",
        LIBSSH2_ERROR_SOCKET_RECV: "LIBSSH2_ERROR_SOCKET_RECV",
        LIBSSH2_ERROR_ENCRYPT: "LIBSSH2_ERROR_ENCRYPT",
        LIBSSH2_ERROR_BAD_SOCKET: "LIBSSH2_ERROR_BAD_SOCKET",
        LIBSSH2_ERROR_KNOWN_HOSTS: "LIBSSH2_ERROR_KNOWN_HOSTS",
        LIBSSH2_ERROR_CHANNEL_WINDOW_FULL: "LIBSSH2_ERROR_CHANNEL_WINDOW_FULL",
        LIBSSH2_ERROR_KEYFILE_AUTH_FAILED: "LIBSSH2_ERROR_KEYFILE_AUTH_FAILED",
        LIBSSH2_ERROR_RANDGEN: "LIBSSH2_ERROR_RANDGEN",
    ]
}

/// Why a connection attempt failed outside libssh2 proper (sockets, host keys,
/// authentication), already phrased for the user.
enum ConnectFailure: Error, Sendable {
    case unreachable(String)
    case hostKey(String)
    case authentication(String)
}

/// A step that did not finish before its deadline (`what` names it: "connect", "command").
struct StepTimedOut: Error, Sendable {
    let what: String
    let seconds: Double
}

/// Which stage a failure happened in: a lost connection while connecting means the host
/// is unreachable; once connected, it means the connection dropped.
enum SSHStage: Sendable {
    case connecting
    case connected
}

extension TransportError {
    /// The public error for anything the SSH layer throws.
    static func from(_ error: any Error, host: String, stage: SSHStage) -> TransportError {
        switch error {
        case let error as TransportError:
            return error
        case let failure as ConnectFailure:
            switch failure {
            case .unreachable(let reason): return .unreachable(host: host, reason: reason)
            case .hostKey(let message): return .hostKey(host: host, message: message)
            case .authentication(let message): return .authentication(host: host, message: message)
            }
        case let timeout as StepTimedOut:
            return .timeout(host: host, what: timeout.what, seconds: timeout.seconds)
        case let ssh as SSHError where ssh.isConnectionLost:
            return stage == .connecting
                ? .unreachable(host: host, reason: "the SSH handshake failed: \(ssh)")
                : .disconnected(host: host, reason: ssh.description)
        default:
            return .io(host: host, message: "\(error)")
        }
    }
}
