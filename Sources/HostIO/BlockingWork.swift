import Foundation

/// Runs blocking work (a child process, a libssh2 call) on a thread of its own and
/// suspends the calling task until it is done, so Swift's cooperative pool (two threads
/// on a two-core machine) is never held by a blocking call.
public enum BlockingWork {
    public static func run<T: Sendable>(
        name: String = "crucible-blocking", _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = name
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

/// A serial worker thread owned by one object (one SSH session): every call on it runs in
/// order on the same thread, which is what a blocking libssh2 session needs.
public final class WorkerThread: Sendable {
    private struct Queue: Sendable {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = ConditionMutex(Queue())

    public init(name: String) {
        // The thread keeps itself alive while it runs (Foundation retains a started Thread).
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Ends the thread once the jobs queued so far have run.
    public func stop() {
        queue.withLock(wakeWaiters: true) { $0.stopped = true }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        queue.withLock(wakeWaiters: true) { $0.jobs.append(job) }
    }

    private func loop() {
        while let job = queue.withLock(when: { !$0.jobs.isEmpty || $0.stopped }, { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) {
            job()
        }
    }
}
