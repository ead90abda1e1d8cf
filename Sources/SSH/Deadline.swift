import Foundation

/// A point in time after which a blocking step gives up; no seconds: a step without a limit.
struct Deadline: Sendable {
    private let end: DispatchTime?
    let seconds: Double?
    /// What is being waited for, for the timeout message ("connect", "command").
    let what: String

    init(seconds: Double?, what: String) {
        self.seconds = seconds
        self.what = what
        end = seconds.map { .now() + $0 }
    }

    var hasPassed: Bool {
        guard let end else { return false }
        return DispatchTime.now() >= end
    }

    /// The error for a step that ran out of time.
    var timedOut: StepTimedOut { StepTimedOut(what: what, seconds: seconds ?? 0) }

    /// Milliseconds left for `poll(2)`, capped at `cap`; -1 waits forever.
    func pollMilliseconds(cap: Int? = nil) -> Int32 {
        var remaining: Int
        if let end {
            let nanos = end.uptimeNanoseconds &- min(end.uptimeNanoseconds, DispatchTime.now().uptimeNanoseconds)
            remaining = Int(nanos / 1_000_000) + 1
        } else {
            remaining = -1
        }
        if let cap, remaining < 0 || cap < remaining { remaining = cap }
        return Int32(clamping: remaining)
    }
}
