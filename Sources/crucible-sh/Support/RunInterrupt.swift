import Foundation

/// Ctrl-C during `crucible-sh run`. The first SIGINT asks the run to stop: `onFirst` runs
/// once, on a thread of its own (never in the signal handler, never on Swift's cooperative
/// pool); the run then starts no op, stops the commands under way on the hosts, releases
/// the locks and prints what happened. A second SIGINT ends the process at once (status
/// 130), from the handler itself: `_exit` is async-signal-safe, nothing else is needed.
///
/// The handler only counts and writes one byte to a pipe; a thread blocked reading that
/// pipe does the rest, so the work never runs in signal context.
enum RunInterrupt {
    nonisolated(unsafe) private static var count: sig_atomic_t = 0
    nonisolated(unsafe) private static var wakeFD: Int32 = -1

    /// Installs the handler; `onFirst` runs after the first Ctrl-C.
    static func install(onFirst: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakeFD = fds[1]
        let reader = fds[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(reader, &byte, 1) < 0 && errno == EINTR {}
            onFirst()
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            RunInterrupt.count += 1
            if RunInterrupt.count > 1 { _exit(130) }
            var byte: UInt8 = 1
            _ = write(RunInterrupt.wakeFD, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        // Blocking calls elsewhere (poll in the SSH loops, waitpid) go on after the handler.
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }

    /// Whether Ctrl-C was pressed.
    static var happened: Bool { count > 0 }
}
