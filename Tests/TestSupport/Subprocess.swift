import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and waits for it with posix_spawn and waitpid.
///
/// Why not Foundation's `Process`: on this Linux machine its `waitUntilExit()` sometimes never
/// returns. It learns about a child's exit from SIGCHLD through libdispatch, and when that signal
/// is delivered to a thread that does not block it, it is lost: the child stays a zombie and the
/// test hangs (seen with scripts/sandbox). waitpid on the child's own pid cannot miss it.
public enum Subprocess {
    /// What a program printed (stdout and stderr together, in order) and how it ended:
    /// its exit status, or 128 + the signal that killed it.
    public struct Outcome: Sendable, Equatable {
        public let status: Int32
        public let output: String

        public init(status: Int32, output: String) {
            self.status = status
            self.output = output
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case spawn(String, errno: Int32)
        public var description: String {
            switch self {
            case .spawn(let path, let code): return "cannot start \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Runs `executable` (an absolute path) with `arguments`, stdin from /dev/null, in this
    /// process's environment. Reads its output to the end, then reaps it.
    public static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure.spawn(executable, errno: errno) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw Failure.spawn(executable, errno: spawned)
        }
        let output = readToEnd(readEnd)
        close(readEnd)
        return Outcome(status: waitForExit(pid), output: String(decoding: output, as: UTF8.self))
    }

    private static func readToEnd(_ descriptor: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }

    /// The exit status (0-255), or 128 + signal number, decoded by hand: the W* macros are not
    /// importable into Swift.
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
