import CLibSSH2
import HostIO

/// Why a connection attempt failed outside libssh2 proper (sockets, host keys,
/// authentication), already phrased for the user.
enum ConnectFailure: Error, Sendable {
    case unreachable(String)
    case hostKey(String)
    case authentication(String)
    /// The ssh configuration asks for something crucible cannot do (or cannot be read).
    case configuration(String)
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
            case .configuration(let message): return .unreachable(host: host, reason: "ssh config: " + message)
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
