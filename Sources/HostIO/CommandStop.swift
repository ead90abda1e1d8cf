import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Stopping a command that is under way (Ctrl-C, a host that overran the client's deadline)
/// together with every process it started: on the host, closing the channel is not enough
/// (sshd leaves a command without a terminal running, so `sleep 1000; echo x` would go on).
///
/// Every command runs in a session of its own (sshd makes each exec's shell a session
/// leader; `LocalTransport` spawns with `setsid`), and what it starts stays in that session
/// even when it moves to another process group (`CommandTimeout`'s `timeout` does). So the
/// whole command is "every process in the session": TERM to each, one second, KILL to what
/// is left. A daemon that called `setsid` itself has left on purpose and is not touched.
public enum CommandStop {
    /// What a stopped command's stderr ends with: the op's message says it was interrupted.
    public static let marker = "crucible: interrupted: the command was stopped with every process it started"

    /// The exit status reported for a command that was stopped (128 + SIGINT, as a shell
    /// reports a command ended by Ctrl-C).
    public static let status: Int32 = 130

    /// A stopped command's stderr: what it printed, then the marker on a line of its own.
    public static func stderr(_ printed: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = printed.isEmpty || printed.last == UInt8(ascii: "\n") ? [] : [UInt8(ascii: "\n")]
        return printed + separator + Array((marker + "\n").utf8)
    }

    /// Shell for the host, `$1` a pid in the session to stop (the command's shell): reads its
    /// session from /proc (field 6 of `stat`, the 4th after the name in parentheses), then
    /// signals every process in it, never its own session. POSIX sh and /proc only.
    public static let script = HostScripts.commandStop

    /// The command that stops the session of `pid` on a host.
    public static func command(pid: Int32) -> String {
        ShellQuote.command(["/bin/sh", "-c", script, "crucible-stop", String(pid)])
    }

    /// Stops every process of session `sid` on this machine (TERM, up to a second for them
    /// to go, KILL, up to a second for them to be gone). `LocalTransport`'s children each lead
    /// a session of their own.
    public static func stopLocalSession(_ sid: pid_t) {
        guard sid > 1, sid != getsid(0) else { return }
        for sig in [SIGTERM, SIGKILL] {
            let members = processes(inSession: sid)
            if members.isEmpty { return }
            for pid in members { kill(pid, sig) }
            // After the KILL too: a killed process lives on until the kernel has ended it, and
            // nothing of the command may be left once it has returned.
            for _ in 0..<20 where !processes(inSession: sid).isEmpty { usleep(50_000) }
        }
    }

    /// The live processes whose session is `sid` (zombies have nothing left to stop).
    static func processes(inSession sid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 3 && fields[0] != "Z" && Int32(fields[3]) == sid
        }
    }
}

/// Set once when the command under way must stop (its task was cancelled); read by the
/// thread that waits for the command.
public final class StopRequest: Sendable {
    private struct State {
        var requested = false
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Marks the request and runs the action given to `onRequest`, if any (once).
    public func request() {
        let run: (@Sendable () -> Void)? = state.withLock { state in
            guard !state.requested else { return nil }
            state.requested = true
            return state.action
        }
        run?()
    }

    /// Runs `action` when the stop is requested (at once when it already was).
    public func onRequest(_ action: @escaping @Sendable () -> Void) {
        let now: Bool = state.withLock { state in
            if state.requested { return true }
            state.action = action
            return false
        }
        if now { action() }
    }
}
