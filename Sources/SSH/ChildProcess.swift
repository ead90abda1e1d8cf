import Foundation
import HostIO
#if canImport(Glibc)
import Glibc
#endif

/// A helper program crucible starts for the SSH layer: `ssh -G` (to its end) and a
/// ProxyCommand (for the life of a session). posix_spawn and waitpid, not Foundation's
/// `Process`, whose exit detection is unreliable here (see docs/sandbox.md). Callers run
/// on a worker thread, never on Swift's cooperative pool.
enum ChildProcess {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `arguments` (the first is an absolute path) with stdin from /dev/null and
    /// waits for it; stdout and stderr are read together so neither can fill up.
    static func run(_ arguments: [String]) throws -> Output {
        let out = try Pipe2(), err = try Pipe2()
        let pid = try spawn(arguments, stdin: nil, stdout: out.write, stderr: err.write)
        out.closeWrite()
        err.closeWrite()
        var bytes: [[UInt8]] = [[], []]
        var open = [true, true]
        let fds = [out.read, err.read]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open.contains(true) {
            var polled = (0..<2).map { pollfd(fd: open[$0] ? fds[$0] : -1, events: Int16(POLLIN), revents: 0) }
            if poll(&polled, 2, -1) < 0 && errno != EINTR { break }
            for index in 0..<2 where open[index] && polled[index].revents != 0 {
                let count = read(fds[index], &buffer, buffer.count)
                if count > 0 { bytes[index] += buffer[0..<count] } else if count == 0 || errno != EINTR { open[index] = false }
            }
        }
        return Output(status: wait(pid), stdout: String(decoding: bytes[0], as: UTF8.self),
                      stderr: String(decoding: bytes[1], as: UTF8.self))
    }

    /// Starts `arguments` in a process group of its own (`ProcessSpawn`).
    static func spawn(_ arguments: [String], stdin: Int32?, stdout: Int32, stderr: Int32) throws -> pid_t {
        switch ProcessSpawn.start(arguments, stdin: stdin, stdout: stdout, stderr: stderr) {
        case .success(let pid): return pid
        case .failure(let failure): throw ConnectFailure.unreachable(failure.description)
        }
    }

    /// Waits for the child: its exit status, or 128 + the signal that ended it.
    static func wait(_ pid: pid_t) -> Int32 { reap(pid, options: 0) ?? -1 }

    /// The same without waiting: nil while the child runs.
    static func exitStatusIfEnded(_ pid: pid_t) -> Int32? { reap(pid, options: WNOHANG) }

    private static func reap(_ pid: pid_t, options: Int32) -> Int32? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, options) } while result == -1 && errno == EINTR
        guard result == pid else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The directories of PATH that hold an executable `name`, first one wins.
    static func locate(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let directories = (path ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        return directories.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }
}

/// A close-on-exec pipe whose ends are closed when it is dropped.
final class Pipe2 {
    let read: Int32
    private(set) var write: Int32

    init() throws {
        (read, write) = try Self.make(flags: O_CLOEXEC)
    }

    /// A pipe whose ends get `flags` (O_CLOEXEC, O_NONBLOCK) as descriptor or status flags.
    static func make(flags: Int32) throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw ConnectFailure.unreachable("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            if flags & O_CLOEXEC != 0 { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            if flags & O_NONBLOCK != 0 { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        }
        return (ends[0], ends[1])
    }

    func closeWrite() {
        if write >= 0 { close(write) }
        write = -1
    }

    deinit {
        close(read)
        closeWrite()
    }
}
