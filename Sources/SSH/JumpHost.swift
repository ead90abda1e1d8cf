import Foundation
import HostIO
import Synchronization
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// The jump hosts (ProxyJump) of a run. Each is one authenticated connection, opened when
/// the first host behind it connects, shared by every host behind it (one direct-tcpip
/// channel each), and closed when the last of them is done. A jump host reached through
/// another one is a host behind that one, so chains of any length work the same way.
public final class JumpHostPool: Sendable {
    private struct Pool {
        var hosts: [String: JumpHost] = [:]
        /// Hosts using each jump host (one that was lost and replaced under the same key is
        /// counted on its own until its last user is done).
        var users: [ObjectIdentifier: Int] = [:]
        /// Jump hosts being connected now: others wanting them wait for that attempt.
        var connecting: Set<String> = []
        /// The failure of the attempt a waiter waited for.
        var failures: [String: any Error] = [:]
    }

    private let pool = ConditionMutex(Pool())

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

    private enum Acquired {
        case shared(JumpHost)
        case failed(any Error)
        case connectHere
    }

    private func acquire(_ endpoint: SSHEndpoint, key: String, options: SSHOptions) throws -> JumpHost {
        var waited = false
        let acquired: Acquired = pool.withLock(when: { pool in
            guard pool.connecting.contains(key) else { return true }
            waited = true
            return false
        }) { pool in
            if let host = pool.hosts[key], host.isAlive {
                pool.users[ObjectIdentifier(host), default: 0] += 1
                return .shared(host)
            }
            if waited, let failure = pool.failures[key] { return .failed(failure) }
            pool.connecting.insert(key)
            pool.failures[key] = nil
            return .connectHere
        }
        switch acquired {
        case .shared(let host): return host
        case .failed(let failure): throw failure
        case .connectHere: break
        }
        let opened: Result<JumpHost, any Error> = Result {
            let session = try SSHConnector(endpoint: endpoint, options: options).open()
            return JumpHost(session: session, name: endpoint.name, keepalive: endpoint.keepaliveInterval,
                            countMax: endpoint.keepaliveCountMax)
        }
        pool.withLock(wakeWaiters: true) { pool in
            pool.connecting.remove(key)
            switch opened {
            case .success(let host):
                pool.hosts[key] = host
                pool.users[ObjectIdentifier(host)] = 1
            case .failure(let failure):
                pool.failures[key] = failure
            }
        }
        return try opened.get()
    }

    /// A host behind `jump` is done with it; the last one closes it. (A jump host that was
    /// lost and replaced under the same key is counted on its own.)
    private func release(_ jump: JumpHost, key: String) {
        let last: Bool = pool.withLock { pool in
            let id = ObjectIdentifier(jump)
            let users = pool.users[id, default: 0] - 1
            pool.users[id] = users == 0 ? nil : users
            if users == 0 && pool.hosts[key] === jump { pool.hosts[key] = nil }
            return users == 0
        }
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
    var openConnections: Int { pool.withLock { $0.hosts.count } }
}

/// One jump host's connection and the thread that relays its channels. The session
/// belongs to that thread alone (libssh2 sessions are not thread-safe): hosts behind it
/// ask for a channel through `openChannel`, get one end of a socket pair, and the thread
/// moves bytes between the other end and the channel, and sends the keepalives.
final class JumpHost: Sendable {
    /// What the hosts behind it and the relay thread share; hosts wait on it for their answer.
    private struct Queue: Sendable {
        var requests: [ChannelRequest] = []
        var stopping = false
        var lostReason: String?
    }

    let name: String
    private let queue = ConditionMutex(Queue())
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

    var isAlive: Bool { queue.withLock { $0.lostReason == nil && !$0.stopping } }

    /// A socket relayed to a new direct-tcpip channel to `address:port`, once the jump host
    /// has opened it (it connects to the address itself).
    func openChannel(to address: String, port: Int, deadline: Deadline) throws -> Int32 {
        let (inner, outer) = try SocketLink.socketPair()
        let request = ChannelRequest(address: address, port: port, fd: outer)
        let lost: String? = queue.withLock { queue in
            if let lostReason = queue.lostReason { return lostReason }
            queue.requests.append(request)
            return nil
        }
        if let lost {
            close(inner)
            close(outer)
            throw ConnectFailure.unreachable("the connection to its jump host \(name) was lost: \(lost)")
        }
        wakeUp()
        // The relay answers under this lock (`answer`), so the answer and giving up cannot cross.
        let outcome = queue.withLock(when: { _ in request.outcome != nil || deadline.hasPassed },
                                     recheckAfter: { min(0.25, Double(deadline.pollMilliseconds(cap: 250)) / 1000) }) { _ in
            request.abandonUnlessAnswered()
        }
        guard let outcome else {
            close(inner)
            throw ConnectFailure.unreachable("\(name), the jump host, did not open a connection to \(address) port \(port) "
                                             + "within \(Int(deadline.seconds ?? 0)) s")
        }
        if let failure = outcome.failure {
            close(inner)
            throw ConnectFailure.unreachable("\(name), the jump host, cannot open a connection to \(address) port \(port): \(failure)")
        }
        return inner
    }

    /// Ends the relay and waits until it has closed the jump host's session.
    func stop() {
        let first: Bool = queue.withLock { queue in
            defer { queue.stopping = true }
            return !queue.stopping
        }
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
        return queue.withLock { queue in
            defer { queue.requests = [] }
            return (queue.requests, queue.stopping)
        }
    }

    /// Answers a request; false when its host gave up waiting (the channel is not wanted).
    func answer(_ request: ChannelRequest, failure: String?) -> Bool {
        queue.withLock(wakeWaiters: true) { _ in request.answer(ChannelRequest.Outcome(failure: failure)) }
    }

    func markLost(_ reason: String) {
        queue.withLock { $0.lostReason = $0.lostReason ?? reason }
    }
}

/// A host's wish for a channel; answered by the relay thread (under the jump host's lock,
/// which its host waits on).
final class ChannelRequest: Sendable {
    struct Outcome: Sendable {
        var failure: String?
    }

    let address: String
    let port: Int
    /// The relay's end of the socket pair; the relay closes it.
    let fd: Int32
    private let state = Mutex<(outcome: Outcome?, abandoned: Bool)>((nil, false))

    init(address: String, port: Int, fd: Int32) {
        self.address = address
        self.port = port
        self.fd = fd
    }

    var outcome: Outcome? { state.withLock { $0.outcome } }

    /// Records the relay's answer; false when the host gave up waiting (the channel is not wanted).
    func answer(_ outcome: Outcome) -> Bool {
        state.withLock { state in
            state.outcome = outcome
            return !state.abandoned
        }
    }

    /// The answer, if it came; else the request is marked abandoned (in the same lock, so a
    /// late answer sees it) and nil is returned.
    func abandonUnlessAnswered() -> Outcome? {
        state.withLock { state in
            if state.outcome == nil { state.abandoned = true }
            return state.outcome
        }
    }
}
