import Foundation

/// A `Mutex` that a thread can also wait on until another thread changes the state
/// (`NSCondition` underneath), for the few places where a thread blocks on purpose: a worker
/// waiting for jobs, a connection waiting for a jump host's answer. As with `Mutex`, the state
/// is reached only inside `withLock`, so the compiler sees that every access holds the lock;
/// the `@unchecked` below is the one claim to verify by reading, and it is this file.
public final class ConditionMutex<State: Sendable>: @unchecked Sendable {
    // Safe: `state` is read and written only between `condition.lock()` and `unlock()`. A wait
    // releases the lock only between two calls of `ready`, never while a body holds `state`.
    private let condition = NSCondition()
    private var state: State

    public init(_ initial: State) {
        state = initial
    }

    /// Runs `body` with the lock held. `wakeWaiters`: afterwards, still under the lock, every
    /// thread waiting in `withLock(when:)` wakes to look at what `body` changed.
    public func withLock<R>(wakeWaiters: Bool = false, _ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            if wakeWaiters { condition.broadcast() }
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits, with the lock released meanwhile, until `ready` holds; then runs `body` with the
    /// lock held. `recheckAfter`: how long one wait may last before `ready` is asked again
    /// without a wake-up (for a deadline that is not in the state); nil waits for a wake-up.
    public func withLock<R>(when ready: (State) -> Bool, recheckAfter: (() -> TimeInterval)? = nil,
                            _ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        while !ready(state) {
            if let recheckAfter {
                _ = condition.wait(until: Date(timeIntervalSinceNow: recheckAfter()))
            } else {
                condition.wait()
            }
        }
        return try body(&state)
    }
}
