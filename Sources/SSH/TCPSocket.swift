import Foundation
import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// Opens the TCP connection under an SSH session: name resolution, a non-blocking connect
/// bounded by the connect timeout, then TCP_NODELAY (a handshake takes ~57 ms without it,
/// ~15 ms with it) and SO_KEEPALIVE. Errors name the address and port.
enum TCPSocket {
    static func connect(address: String, port: Int, family: Int32 = AF_UNSPEC, deadline: Deadline) throws -> Int32 {
        let candidates = try resolve(address: address, port: port, family: family)
        defer { freeaddrinfo(candidates) }
        var lastReason = "no usable address"
        var entry: UnsafeMutablePointer<addrinfo>? = candidates
        while let info = entry {
            do {
                return try connect(info.pointee, deadline: deadline)
            } catch let failure as ConnectError {
                lastReason = failure.reason
                if failure.isTimeout { break }
            }
            entry = info.pointee.ai_next
        }
        throw ConnectFailure.unreachable("cannot connect to \(address) port \(port): \(lastReason)")
    }

    private struct ConnectError: Error {
        let reason: String
        var isTimeout = false
    }

    private static func resolve(address: String, port: Int, family: Int32) throws -> UnsafeMutablePointer<addrinfo> {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address, String(port), &hints, &result)
        guard status == 0, let result else {
            let reason = String(cString: gai_strerror(status))
            throw ConnectFailure.unreachable("cannot resolve \(address): \(reason)")
        }
        return result
    }

    private static func connect(_ info: addrinfo, deadline: Deadline) throws -> Int32 {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(reason: String(cString: strerror(errno))) }
        do {
            try finishConnect(fd, info, deadline: deadline)
            setOptions(fd)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func finishConnect(_ fd: Int32, _ info: addrinfo, deadline: Deadline) throws {
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return }
        guard errno == EINPROGRESS else { throw ConnectError(reason: String(cString: strerror(errno))) }
        var pollfd = Glibc.pollfd(fd: fd, events: crucible_poll_out(), revents: 0)
        while true {
            let ready = poll(&pollfd, 1, deadline.pollMilliseconds())
            if ready > 0 { break }
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 || deadline.hasPassed {
                let seconds = deadline.seconds.map { "\(Int($0)) s" } ?? "the time limit"
                throw ConnectError(reason: "no answer within \(seconds)", isTimeout: true)
            }
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        if socketError != 0 { throw ConnectError(reason: String(cString: strerror(socketError))) }
    }

    /// Turns off delayed ACKs for what arrives next (Linux's TCP_QUICKACK, which the kernel
    /// turns back off by itself, hence set before every wait). sshd leaves Nagle on for
    /// non-interactive sessions: when it sends two small packets in a row (a notice after
    /// login, then the answer to our channel request), the second waits for our ACK of the
    /// first, and a delayed ACK holds it ~40 ms, once per connection, measured here.
    static func acknowledgeAtOnce(_ fd: Int32) {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), crucible_tcp_quickack(), &on, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func setOptions(_ fd: Int32) {
        var on: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, Int32(IPPROTO_TCP), crucible_tcp_nodelay(), &on, size)
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
        acknowledgeAtOnce(fd)
    }
}
