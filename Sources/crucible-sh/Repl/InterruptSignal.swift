import Foundation

/// Ctrl-C for the REPL: SIGINT only sets a flag, never ends the process. The line editor
/// turns it into an abandoned line; while an entry runs, the loop cancels the entry.
///
/// The handler is installed without `SA_RESTART`, so a blocked `read` of the terminal
/// returns `EINTR` and the line editor sees the interrupt at once.
enum InterruptSignal {
    nonisolated(unsafe) private static var pending: sig_atomic_t = 0
    /// The thread blocked reading the terminal, if any. The kernel delivers SIGINT to any
    /// thread of the process; the handler passes it on to this one so its `read` stops.
    nonisolated(unsafe) private static var reader: pthread_t = 0

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            InterruptSignal.pending = 1
            let reader = InterruptSignal.reader
            if reader != 0 && pthread_equal(reader, pthread_self()) == 0 { pthread_kill(reader, SIGINT) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// True once per Ctrl-C.
    static func take() -> Bool {
        guard pending != 0 else { return false }
        pending = 0
        return true
    }

    static func clear() { pending = 0 }

    /// Marks the calling thread as the one reading the terminal until `readerDone()`, and
    /// lets SIGINT reach it (threads started from Swift's pool inherit a mask that blocks it).
    static func readerStarted() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        reader = pthread_self()
    }

    static func readerDone() { reader = 0 }
}
