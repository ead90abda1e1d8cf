import Foundation
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// The thread of a jump host: opens direct-tcpip channels on its session one at a time
/// (libssh2 opens one at a time), then moves bytes between each channel and its socket
/// pair, in both directions, with `poll(2)` on the session's socket, the pairs and a wake-up
/// pipe. When the jump host's connection is lost, every pair is closed, so each host
/// behind it sees its connection end.
///
/// libssh2 1.10 keeps one outgoing packet per session: after a call returns EAGAIN with
/// part of a packet unsent, the next sending call must be that same call, or another
/// channel's packet would be taken for it. So a blocked call (`blocked`) is retried
/// first and alone.
// Unchecked: made in `JumpHost.init` and from then on used only by the relay thread that
// `run()`s it (every var here, the libssh2 session and channels); the jump host is reached
// through its own locked methods.
final class ChannelRelay: @unchecked Sendable {
    /// The jump host's session, freed by this thread when the relay ends.
    private var owned: SSHSession?
    private var session: SSHSession { owned! }
    private let host: JumpHost
    private let keepaliveSeconds: Int
    private let countMax: Int
    private var pending: [ChannelRequest] = []
    private var tunnels: [Tunnel] = []
    /// Channels being closed and freed (which takes the server's answer).
    private var closing: [OpaquePointer] = []
    private var blocked: Operation?
    private var lastHeard = DispatchTime.now()
    private var buffer = [CChar](repeating: 0, count: ChannelRelay.capacity)
    private static let capacity = 64 * 1024

    private enum Operation {
        case open, write(Tunnel), read(Tunnel), free(OpaquePointer)
    }

    /// Lost connection to the jump host.
    private struct Lost: Error {
        let reason: String
    }

    init(session: SSHSession, host: JumpHost, keepalive: Int, countMax: Int) {
        owned = session
        self.host = host
        keepaliveSeconds = keepalive
        self.countMax = countMax
    }

    func run() {
        do {
            while true {
                let (requests, stop) = host.takeRequests()
                pending += requests
                if stop { break }
                var progressed = false
                if let operation = blocked {
                    blocked = nil
                    progressed = try perform(operation)
                }
                if blocked == nil { progressed = try pass() || progressed } else { progressed = moveSocketSides() || progressed }
                if !progressed && !channelsHaveData() { try wait() }
            }
        } catch let lost as Lost {
            host.markLost(lost.reason)
        } catch {
            host.markLost("\(error)")
        }
        finish()
        // The session ends here, before `stop()` returns: nothing of libssh2 (or its
        // OpenSSL) may still run on this thread when the process exits.
        owned = nil
        host.relayEnded()
    }

    // MARK: - One pass

    private func pass() throws -> Bool {
        var progressed = try perform(.open)
        for tunnel in tunnels {
            progressed = fillFromSocket(tunnel) || progressed
            if blocked == nil { progressed = try perform(.write(tunnel)) || progressed }
            if blocked == nil { progressed = try perform(.read(tunnel)) || progressed }
            progressed = flushToSocket(tunnel) || progressed
        }
        progressed = retireFinished() || progressed
        for channel in closing where blocked == nil {
            progressed = try perform(.free(channel)) || progressed
        }
        if blocked == nil { try keepalive() }
        return progressed
    }

    /// The socket side only (no libssh2 call), while a blocked call waits.
    private func moveSocketSides() -> Bool {
        var progressed = false
        for tunnel in tunnels {
            progressed = fillFromSocket(tunnel) || progressed
            progressed = flushToSocket(tunnel) || progressed
        }
        return progressed
    }

    private func perform(_ operation: Operation) throws -> Bool {
        switch operation {
        case .open: return try openNext()
        case .write(let tunnel): return try write(tunnel)
        case .read(let tunnel): return try read(tunnel)
        case .free(let channel): return try free(channel)
        }
    }

    /// EAGAIN: remember the call when it left part of a packet unsent.
    private func wouldBlock(_ operation: Operation) {
        if libssh2_session_block_directions(session.handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { blocked = operation }
    }

    /// A channel call's count; nil for EAGAIN (remembered when it left a packet half sent)
    /// and for an error of this channel (the tunnel is marked failed). An error of the
    /// whole connection ends the relay.
    private func settled(_ result: Int, _ operation: Operation, _ tunnel: Tunnel) throws -> Int? {
        if result == Int(LIBSSH2_ERROR_EAGAIN) {
            wouldBlock(operation)
            return nil
        }
        guard result < 0 else { return result }
        let error = session.lastError(Int32(clamping: result))
        if error.isConnectionLost { throw Lost(reason: error.description) }
        tunnel.failed = true
        return nil
    }

    // MARK: - Channels

    private func openNext() throws -> Bool {
        guard let request = pending.first else { return false }
        let channel = libssh2_channel_direct_tcpip_ex(session.handle, request.address, Int32(request.port), "127.0.0.1", 22)
        if let channel {
            pending.removeFirst()
            if host.answer(request, failure: nil) {
                tunnels.append(Tunnel(channel: channel, fd: request.fd))
            } else {
                close(request.fd)
                closing.append(channel)
            }
            return true
        }
        let code = libssh2_session_last_errno(session.handle)
        if code == LIBSSH2_ERROR_EAGAIN {
            wouldBlock(.open)
            return false
        }
        let error = session.lastError(code)
        if error.isConnectionLost { throw Lost(reason: error.description) }
        pending.removeFirst()
        close(request.fd)
        _ = host.answer(request, failure: Self.explain(error))
        return true
    }

    private func write(_ tunnel: Tunnel) throws -> Bool {
        guard !tunnel.toChannel.isEmpty, !tunnel.failed else { return false }
        let result = tunnel.toChannel.withUnsafeBytes { raw in
            crucible_channel_write(tunnel.channel, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard let written = try settled(result, .write(tunnel), tunnel) else { return tunnel.failed }
        tunnel.toChannel.removeFirst(written)
        return written > 0
    }

    private func read(_ tunnel: Tunnel) throws -> Bool {
        guard tunnel.toSocket.isEmpty, !tunnel.channelEOF, !tunnel.failed else { return false }
        let result = buffer.withUnsafeMutableBufferPointer { crucible_channel_read(tunnel.channel, $0.baseAddress!, $0.count) }
        guard let count = try settled(result, .read(tunnel), tunnel) else { return tunnel.failed }
        lastHeard = .now()
        if count == 0 {
            guard libssh2_channel_eof(tunnel.channel) != 0 else { return false }
            tunnel.channelEOF = true
            return true
        }
        tunnel.toSocket = buffer.withUnsafeBytes { Array($0.prefix(count)) }
        return true
    }

    private func free(_ channel: OpaquePointer) throws -> Bool {
        let result = libssh2_channel_free(channel)
        if result == LIBSSH2_ERROR_EAGAIN {
            wouldBlock(.free(channel))
            return false
        }
        closing.removeAll { $0 == channel }
        return true
    }

    /// Tunnels whose host closed its end, or whose channel failed: the pair is closed and
    /// the channel freed.
    private func retireFinished() -> Bool {
        let finished = tunnels.filter { $0.socketClosed || $0.failed }
        for tunnel in finished {
            close(tunnel.fd)
            closing.append(tunnel.channel)
        }
        tunnels.removeAll { $0.socketClosed || $0.failed }
        return !finished.isEmpty
    }

    // MARK: - Socket pairs

    private func fillFromSocket(_ tunnel: Tunnel) -> Bool {
        guard !tunnel.socketClosed, tunnel.toChannel.count < Self.capacity else { return false }
        let room = Self.capacity - tunnel.toChannel.count
        let count = buffer.withUnsafeMutableBytes { Glibc.read(tunnel.fd, $0.baseAddress, room) }
        if count > 0 {
            tunnel.toChannel += buffer.withUnsafeBytes { $0.prefix(count) }
            return true
        }
        if count == 0 || (errno != EAGAIN && errno != EINTR) {
            tunnel.socketClosed = true
            return true
        }
        return false
    }

    private func flushToSocket(_ tunnel: Tunnel) -> Bool {
        var progressed = false
        if !tunnel.toSocket.isEmpty && !tunnel.socketClosed {
            let sent = tunnel.toSocket.withUnsafeBytes { send(tunnel.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                tunnel.toSocket.removeFirst(sent)
                progressed = true
            } else if sent < 0 && errno != EAGAIN && errno != EINTR {
                tunnel.socketClosed = true
                progressed = true
            }
        }
        if tunnel.channelEOF && tunnel.toSocket.isEmpty && !tunnel.eofPassedOn {
            shutdown(tunnel.fd, Int32(SHUT_WR))
            tunnel.eofPassedOn = true
            progressed = true
        }
        return progressed
    }

    // MARK: - Waiting

    /// Data libssh2 has already taken off the socket for a channel that can take it: no
    /// `poll` would announce it.
    private func channelsHaveData() -> Bool {
        guard blocked == nil else { return false }
        return tunnels.contains { tunnel in
            guard tunnel.toSocket.isEmpty, !tunnel.channelEOF, !tunnel.failed else { return false }
            var available: UInt = 0
            _ = libssh2_channel_window_read_ex(tunnel.channel, &available, nil)
            return available > 0 || libssh2_channel_eof(tunnel.channel) != 0
        }
    }

    private func wait() throws {
        let socket = session.link.fd
        var descriptors = [pollfd(fd: host.wakeDescriptor, events: crucible_poll_in(), revents: 0)]
        let wantsInbound = !pending.isEmpty || !closing.isEmpty
            || tunnels.contains { $0.toSocket.isEmpty && !$0.channelEOF && !$0.failed }
        var sessionEvents: Int16 = wantsInbound ? crucible_poll_in() : 0
        if blocked != nil || libssh2_session_block_directions(session.handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 {
            sessionEvents |= crucible_poll_out()
        }
        descriptors.append(pollfd(fd: sessionEvents == 0 ? -1 : socket, events: sessionEvents, revents: 0))
        for tunnel in tunnels {
            var events: Int16 = 0
            if !tunnel.socketClosed && tunnel.toChannel.count < Self.capacity { events |= crucible_poll_in() }
            if !tunnel.toSocket.isEmpty { events |= crucible_poll_out() }
            descriptors.append(pollfd(fd: events == 0 ? -1 : tunnel.fd, events: events, revents: 0))
        }
        let timeout: Int32 = keepaliveSeconds > 0 ? 1000 : 5000
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
        if ready > 0 && descriptors[1].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { lastHeard = .now() }
    }

    /// Keepalives while the jump host is in use, and the end of a server that answers
    /// nothing for `countMax` intervals (like a host's own session).
    private func keepalive() throws {
        guard keepaliveSeconds > 0 else { return }
        var next: Int32 = 0
        let sent = libssh2_keepalive_send(session.handle, &next)
        if sent < 0 && sent != LIBSSH2_ERROR_EAGAIN { throw Lost(reason: session.lastError(sent).description) }
        let silent = (DispatchTime.now().uptimeNanoseconds - lastHeard.uptimeNanoseconds) / 1_000_000_000
        if silent > UInt64(keepaliveSeconds * countMax + 1) {
            throw Lost(reason: "the jump host answered nothing (not even \(countMax) keepalives) for \(silent) s")
        }
    }

    /// The end: pending requests are refused, every pair closed; the session goes with us.
    private func finish() {
        for request in pending {
            close(request.fd)
            _ = host.answer(request, failure: "the connection to the jump host closed")
        }
        pending = []
        for tunnel in tunnels { close(tunnel.fd) }
        tunnels = []
    }

    /// libssh2's "Channel open failure (connect failed)" with what it means here.
    static func explain(_ error: SSHError) -> String {
        let text = error.message
        if text.contains("prohibited") {
            return "its sshd does not allow forwarding (AllowTcpForwarding no, or a restricted key) (\(text))"
        }
        if text.contains("connect failed") {
            return "it could not connect there: refused, no route, or no answer (\(text))"
        }
        return error.description
    }
}

/// One channel and the relay's end of its socket pair, with what is on its way each way.
private final class Tunnel {
    let channel: OpaquePointer
    let fd: Int32
    var toChannel: [UInt8] = []
    var toSocket: [UInt8] = []
    /// The host behind closed its end (its session is over).
    var socketClosed = false
    var channelEOF = false
    var eofPassedOn = false
    var failed = false

    init(channel: OpaquePointer, fd: Int32) {
        self.channel = channel
        self.fd = fd
    }
}
