import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn of a program in a process group of its own (so a timeout or the end of a
/// session can signal the whole group), with no signal blocked, and the given descriptors
/// as stdin (nil: /dev/null), stdout and stderr. Every other descriptor should be
/// close-on-exec. Used by `LocalTransport` and by the SSH layer's helper programs.
public enum ProcessSpawn {
    /// The child's pid, or the errno of a spawn that failed.
    /// `environment`: the child's `NAME=value` list; nil passes this process's own.
    /// `newSession`: the child leads a session of its own (and so a process group): what it
    /// starts stays in that session even in process groups of its own, so `CommandStop`
    /// can find all of it.
    public static func start(_ arguments: [String], stdin: Int32?, stdout: Int32, stderr: Int32,
                             environment: [String]? = nil, newSession: Bool = false) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // setsid makes the child a group leader too (and setpgid would fail after it).
        // POSIX_SPAWN_SETSID (glibc 2.26) is only declared under _GNU_SOURCE: its value here.
        let grouping = newSession ? Int32(0x80) : Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setflags(&attributes, Int16(grouping | Int32(POSIX_SPAWN_SETSIGMASK)))
        if !newSession { posix_spawnattr_setpgroup(&attributes, 0) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let status = envp.map { posix_spawn(&pid, arguments[0], &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        return status == 0 ? .success(pid) : .failure(SpawnError(program: arguments[0], code: status))
    }
}

/// A program that could not be started, with posix_spawn's errno.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let program: String
    public let code: Int32

    public var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
}
