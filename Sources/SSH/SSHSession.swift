import Foundation
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// One libssh2 session over one link (a TCP socket, a tunnel through a jump host, or a
/// ProxyCommand: `SocketLink`), both owned here and released in `deinit`.
///
/// The session runs in non-blocking mode: every call that would block returns
/// `LIBSSH2_ERROR_EAGAIN`, and `retrying` then waits with `poll(2)` on the socket, in the
/// direction libssh2 asks for, until the step's deadline. That gives every step (connect,
/// command) its own time limit, lets one exec interleave stdin writes with stdout/stderr
/// reads, and sends keepalives while waiting. A session is not thread-safe: its owner
/// calls it from one thread only (the transport's `WorkerThread`).
final class SSHSession {
    let handle: OpaquePointer
    let link: SocketLink
    private var socket: Int32 { link.fd }
    private var keepaliveSeconds: Int32 = 0
    /// When the current stretch of waiting without hearing from the server began.
    private var silentSince: DispatchTime?
    private var lastWaitEnd: DispatchTime?
    /// Unanswered keepalive intervals after which the server counts as gone (OpenSSH's
    /// ServerAliveCountMax).
    static let keepaliveCountMax = 3
    private var countMax = SSHSession.keepaliveCountMax

    /// Performs the SSH handshake (key exchange) over the link. `methods` orders the
    /// algorithms by libssh2 method type, comma-separated (the host key order comes from
    /// `KnownHostsFile.preferredMethods`).
    init(link: SocketLink, methods: [Int32: String], deadline: Deadline) throws {
        LibSSH2.initializeOnce()
        self.link = link
        guard let handle = crucible_session_init() else {
            throw SSHError(LIBSSH2_ERROR_ALLOC, "cannot allocate an SSH session")
        }
        self.handle = handle
        libssh2_session_set_blocking(handle, 0)
        for (method, list) in methods.sorted(by: { $0.key < $1.key }) where libssh2_session_method_pref(handle, method, list) != 0 {
            throw SSHError(LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, "libssh2 refused the algorithm list \(list)")
        }
        let fd = link.fd
        try retrying(deadline) { libssh2_session_handshake(handle, fd) }
    }

    deinit {
        libssh2_session_set_blocking(handle, 1)
        libssh2_session_set_timeout(handle, 1000)
        _ = crucible_session_disconnect(handle, "crucible done")
        libssh2_session_free(handle)
    }

    /// Asks libssh2 to send a keepalive after `seconds` of silence (libssh2 makes 1 into 2);
    /// `waitForSocket` sends them.
    func configureKeepalive(seconds: Int, countMax: Int = SSHSession.keepaliveCountMax) {
        guard seconds > 0 else { return }
        self.countMax = countMax
        keepaliveSeconds = Int32(clamping: seconds)
        libssh2_keepalive_config(handle, 1, UInt32(seconds))
    }

    // MARK: - Calling libssh2

    /// Runs a libssh2 call until it stops saying EAGAIN; a negative result becomes `SSHError`.
    @discardableResult
    func retrying(_ deadline: Deadline, _ call: () -> Int32) throws -> Int32 {
        Int32(try retrying(deadline) { Int(call()) })
    }

    @discardableResult
    func retrying(_ deadline: Deadline, _ call: () -> Int) throws -> Int {
        while true {
            let result = call()
            if result == Int(LIBSSH2_ERROR_EAGAIN) {
                try waitForSocket(deadline)
                continue
            }
            if result < 0 { throw lastError(Int32(clamping: result)) }
            return result
        }
    }

    /// The same for calls that return a pointer, NULL meaning "look at the last error".
    func retrying<Handle>(_ deadline: Deadline, _ call: () -> Handle?) throws -> Handle {
        while true {
            if let handle = call() { return handle }
            let code = libssh2_session_last_errno(handle)
            guard code == LIBSSH2_ERROR_EAGAIN else { throw lastError(code) }
            try waitForSocket(deadline)
        }
    }

    /// The session's last error, with libssh2's message.
    /// True when the server has closed the connection (the socket reads end-of-file or a
    /// reset). libssh2 reports a connection that closes while it waits for the answer to a
    /// login attempt as a refused login; this tells the two apart.
    func peerHasClosed() -> Bool {
        var pollfd = Glibc.pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, 0) > 0 else { return false }
        if pollfd.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    func lastError(_ fallback: Int32) -> SSHError {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(handle, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? "libssh2 error"
        return SSHError(code != 0 ? code : fallback, text)
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, sending a
    /// keepalive when one is due. Throws the deadline's timeout, or `SSHError` when the
    /// keepalive cannot be sent or the server has answered nothing (not even keepalives,
    /// which ask for a reply) for `keepaliveCountMax` intervals: a host that vanished
    /// without closing the connection (powered off, network gone) is then reported as
    /// disconnected instead of hanging until TCP gives up.
    /// `cap`: milliseconds to wait at most even when the deadline is further (a caller that
    /// must also watch something else).
    func waitForSocket(_ deadline: Deadline, cap waitCap: Int? = nil) throws {
        if deadline.hasPassed { throw deadline.timedOut }
        defer { lastWaitEnd = .now() }
        var cap: Int? = nil
        if keepaliveSeconds > 0 {
            try checkServerAlive()
            var next: Int32 = 0
            let sent = libssh2_keepalive_send(handle, &next)
            if sent < 0 && sent != LIBSSH2_ERROR_EAGAIN { throw lastError(LIBSSH2_ERROR_SOCKET_SEND) }
            cap = Int(max(next, 1)) * 1000
        }
        if let waitCap { cap = min(cap ?? waitCap, waitCap) }
        let directions = libssh2_session_block_directions(handle)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= crucible_poll_in() }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= crucible_poll_out() }
        if events == 0 { events = crucible_poll_in() }
        if link.isTCP { TCPSocket.acknowledgeAtOnce(socket) }
        var pollfd = Glibc.pollfd(fd: socket, events: events, revents: 0)
        let ready = poll(&pollfd, 1, deadline.pollMilliseconds(cap: cap))
        if ready > 0 { silentSince = nil }
        if ready == 0 && deadline.hasPassed { throw deadline.timedOut }
    }

    /// Silence is measured over back-to-back waits only: a wait that ends with the socket
    /// ready (data, or room to write), or a pause of more than a second between waits (work
    /// or idle time between commands), starts a new stretch.
    private func checkServerAlive() throws {
        let now = DispatchTime.now()
        let paused = lastWaitEnd.map { now.uptimeNanoseconds - $0.uptimeNanoseconds > 1_000_000_000 } ?? true
        guard let since = silentSince, !paused else {
            silentSince = now
            return
        }
        let limit = UInt64(keepaliveSeconds) * UInt64(countMax) + 1
        let silentSeconds = (now.uptimeNanoseconds - since.uptimeNanoseconds) / 1_000_000_000
        if silentSeconds > limit {
            throw SSHError(LIBSSH2_ERROR_SOCKET_DISCONNECT, "the server answered nothing (not even \(countMax) keepalives) for \(silentSeconds) s")
        }
    }
}

/// libssh2's global state (the crypto backend), initialised once per process.
enum LibSSH2 {
    private static let initialized: Bool = libssh2_init(0) == 0

    static func initializeOnce() {
        _ = initialized
    }

    /// The algorithms this libssh2 can negotiate for a method (`LIBSSH2_METHOD_KEX`, ...).
    static func supportedAlgorithms(_ method: Int32) -> [String] { supported[Int(method)] }

    private static let supported: [[String]] = {
        initializeOnce()
        let methods = [LIBSSH2_METHOD_KEX, LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC,
                       LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC]
        guard let session = crucible_session_init() else { return methods.map { _ in [] } }
        defer { libssh2_session_free(session) }
        return methods.map { method in
            var algorithms: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            let count = libssh2_session_supported_algs(session, method, &algorithms)
            guard count > 0, let algorithms else { return [] }
            defer { libssh2_free(session, algorithms) }
            return (0..<Int(count)).compactMap { algorithms[$0].map { String(cString: $0) } }
        }
    }()
}
