import Foundation
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// The jump hosts (ProxyJump) of a run. Each is one authenticated connection, opened when
/// the first host behind it connects, shared by every host behind it (one direct-tcpip
/// channel each), and closed when the last of them is done. A jump host reached through
/// another one is a host behind that one, so chains of any length work the same way.
public final class JumpHostPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var hosts: [String: JumpHost] = [:]
    /// Jump hosts being connected now: others wanting them wait for that attempt.
    private var connecting: Set<String> = []
    /// The failure of the attempt a waiter waited for.
    private var failures: [String: Error] = [:]

    public init() {}

    /// A link to `address:port` through the jump host `via`, for the session of `host`.
    func tunnel(via: SSHEndpoint, to address: String, port: Int, for host: String, options: SSHOptions,
                deadline: Deadline) throws -> SocketLink {
        let key = via.identity
        let jump: JumpHost
        do {
            jump = try acquire(via, key: key, options: options)
        } catch {
            throw Self.throughJumpHost(error, host: host, jump: via.name)
        }
        do {
            let fd = try jump.openChannel(to: address, port: port, deadline: deadline)
            return SocketLink.relayed(fd) { [self] in release(jump, key: key) }
        } catch {
            release(jump, key: key)
            throw error
        }
    }

    private func acquire(_ endpoint: SSHEndpoint, key: String, options: SSHOptions) throws -> JumpHost {
        condition.lock()
        var waited = false
        while connecting.contains(key) {
            waited = true
            condition.wait()
        }
        if let host = hosts[key], host.isAlive {
            host.users += 1
            condition.unlock()
            return host
        }
        if waited, let failure = failures[key] {
            condition.unlock()
            throw failure
        }
        connecting.insert(key)
        failures[key] = nil
        condition.unlock()
        var opened: JumpHost?
        var failure: Error?
        do {
            let session = try SSHConnector(endpoint: endpoint, options: options).open()
            opened = JumpHost(session: session, name: endpoint.name, keepalive: endpoint.keepaliveInterval,
                              countMax: endpoint.keepaliveCountMax)
        } catch {
            failure = error
        }
        condition.lock()
        connecting.remove(key)
        if let opened {
            hosts[key] = opened
            opened.users = 1
        } else {
            failures[key] = failure
        }
        condition.broadcast()
        condition.unlock()
        guard let opened else { throw failure! }
        return opened
    }

    /// A host behind `jump` is done with it; the last one closes it. (A jump host that was
    /// lost and replaced under the same key is counted on its own.)
    private func release(_ jump: JumpHost, key: String) {
        condition.lock()
        jump.users -= 1
        let last = jump.users == 0
        if last && hosts[key] === jump { hosts[key] = nil }
        condition.unlock()
        // Outside the lock: stopping waits for the relay, which may release a jump host of its own.
        if last { jump.stop() }
    }

    /// A jump host's own failure, for the host behind it: the same kind (a refused host
    /// key stays a host key refusal), saying which jump host it was.
    private static func throughJumpHost(_ error: Error, host: String, jump: String) -> ConnectFailure {
        let prefix = "cannot reach \(host) through its jump host \(jump): "
        switch error {
        case let failure as ConnectFailure:
            switch failure {
            case .unreachable(let text): return .unreachable(prefix + text)
            case .hostKey(let text): return .hostKey(prefix + text)
            case .authentication(let text): return .authentication(prefix + text)
            case .configuration(let text): return .configuration(prefix + text)
            }
        case let timeout as StepTimedOut:
            return .unreachable(prefix + "\(timeout.what) timed out after \(Int(timeout.seconds)) s")
        case let ssh as SSHError:
            return .unreachable(prefix + ssh.description)
        default:
            return .unreachable(prefix + "\(error)")
        }
    }

    /// How many jump host connections are open (for tests).
    var openConnections: Int {
        condition.lock()
        defer { condition.unlock() }
        return hosts.count
    }
}

/// One jump host's connection and the thread that relays its channels. The session
/// belongs to that thread alone (libssh2 sessions are not thread-safe): hosts behind it
/// ask for a channel through `openChannel`, get one end of a socket pair, and the thread
/// moves bytes between the other end and the channel, and sends the keepalives.
final class JumpHost: @unchecked Sendable {
    let name: String
    /// Hosts using it; guarded by the pool's lock.
    var users = 0
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var requests: [ChannelRequest] = []
    private var stopping = false
    private var lostReason: String?
    private let wake: (read: Int32, write: Int32)
    private let ended = DispatchSemaphore(value: 0)

    /// Starts the relay thread, which owns `session` from now on.
    init(session: SSHSession, name: String, keepalive: Int, countMax: Int) {
        self.name = name
        wake = (try? Pipe2.make(flags: O_CLOEXEC | O_NONBLOCK)) ?? (-1, -1)
        let relay = ChannelRelay(session: session, host: self, keepalive: keepalive, countMax: countMax)
        let thread = Thread { relay.run() }
        thread.name = "crucible-jump-\(name)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    var isAlive: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lostReason == nil && !stopping
    }

    /// A socket relayed to a new direct-tcpip channel to `address:port`, once the jump host
    /// has opened it (it connects to the address itself).
    func openChannel(to address: String, port: Int, deadline: Deadline) throws -> Int32 {
        let (inner, outer) = try SocketLink.socketPair()
        let request = ChannelRequest(address: address, port: port, fd: outer)
        condition.lock()
        if let lostReason {
            condition.unlock()
            close(inner)
            close(outer)
            throw ConnectFailure.unreachable("the connection to its jump host \(name) was lost: \(lostReason)")
        }
        requests.append(request)
        condition.unlock()
        wakeUp()
        condition.lock()
        defer { condition.unlock() }
        while request.outcome == nil {
            if deadline.hasPassed {
                request.abandoned = true
                close(inner)
                throw ConnectFailure.unreachable("\(name), the jump host, did not open a connection to \(address) port \(port) "
                                                 + "within \(Int(deadline.seconds ?? 0)) s")
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(0.25, Double(deadline.pollMilliseconds(cap: 250)) / 1000)))
        }
        if let failure = request.outcome!.failure {
            close(inner)
            throw ConnectFailure.unreachable("\(name), the jump host, cannot open a connection to \(address) port \(port): \(failure)")
        }
        return inner
    }

    /// Ends the relay and waits until it has closed the jump host's session.
    func stop() {
        condition.lock()
        let first = !stopping
        stopping = true
        condition.unlock()
        wakeUp()
        if first { _ = ended.wait(timeout: .now() + 10) }
    }

    /// Called by the relay thread as its last act.
    func relayEnded() { ended.signal() }

    func wakeUp() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    var wakeDescriptor: Int32 { wake.read }

    /// New requests, and whether the relay should end.
    func takeRequests() -> (requests: [ChannelRequest], stop: Bool) {
        var byte = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &byte, byte.count) > 0 {}
        condition.lock()
        defer { condition.unlock() }
        let taken = requests
        requests = []
        return (taken, stopping)
    }

    /// Answers a request; false when its host gave up waiting (the channel is not wanted).
    func answer(_ request: ChannelRequest, failure: String?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        request.outcome = ChannelRequest.Outcome(failure: failure)
        condition.broadcast()
        return !request.abandoned
    }

    func markLost(_ reason: String) {
        condition.lock()
        lostReason = lostReason ?? reason
        condition.unlock()
    }
}

/// A host's wish for a channel; answered by the relay thread under the jump host's lock.
final class ChannelRequest: @unchecked Sendable {
    struct Outcome {
        var failure: String?
    }

    let address: String
    let port: Int
    /// The relay's end of the socket pair; the relay closes it.
    let fd: Int32
    var outcome: Outcome?
    var abandoned = false

    init(address: String, port: Int, fd: Int32) {
        self.address = address
        self.port = port
        self.fd = fd
    }
}
