import Foundation

/// Ctrl-C for the REPL: SIGINT only sets a flag, never ends the process. The line editor
/// turns it into an abandoned line; while an entry runs, the loop cancels the entry.
///
/// The handler is installed without `SA_RESTART`, so a blocked `read` of the terminal
/// returns `EINTR` and the line editor sees the interrupt at once.
enum InterruptSignal {
    nonisolated(unsafe) private static var pending: sig_atomic_t = 0

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in InterruptSignal.pending = 1 }
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
}
