import DSL
import Foundation
import Synchronization

/// How much one run may use, so that a recipe that grows a string without end, loops
/// forever or recurses exponentially stops with an error at its place instead of eating the
/// machine's memory or never finishing.
public struct EvaluationLimits: Sendable, Equatable {
    /// The longest string a value may be, in UTF-8 bytes (16 MiB: far past any config file).
    public var maxStringBytes = 16 << 20
    /// The most items a list may hold.
    public var maxListItems = 1_000_000
    /// Loop iterations and function calls in the whole run, all hosts together.
    public var maxSteps = 10_000_000
    /// Time the top level may spend evaluating (outside `on` blocks, whose ops wait on hosts).
    public var maxTopLevelSeconds: Double = 300

    public init() {}
}

/// What a run has used of its `EvaluationLimits`; shared by every host's task.
final class RunBudget: Sendable {
    let limits: EvaluationLimits
    private let steps = Atomic<Int>(0)
    /// When the top level started, moved forward by the time spent in `on` blocks.
    private let topLevelStart = Mutex(ContinuousClock.now)

    init(limits: EvaluationLimits) {
        self.limits = limits
    }

    /// Starts counting again (a new run, or a new REPL entry).
    func reset() {
        steps.store(0, ordering: .relaxed)
        topLevelStart.withLock { $0 = .now }
    }

    /// One loop iteration or function call, at `span`, on a host or at the top level
    /// (nil). The read-ahead pass is not counted: it runs the same code again.
    func step(at span: Span, on host: Evaluator.HostRun?) throws {
        if host?.speculative == true { return }
        let topLevel = host == nil
        let taken = steps.wrappingAdd(1, ordering: .relaxed).newValue
        if taken > limits.maxSteps {
            throw RuntimeError(span, "the run went past \(limits.maxSteps) loop iterations and function calls",
                               hint: "a loop or a recursion that does not end? Recipes describe hosts; heavy computing belongs elsewhere")
        }
        if topLevel, taken % 1024 == 0 { try checkTopLevelTime(at: span) }
    }

    func checkTopLevelTime(at span: Span) throws {
        let elapsed = ContinuousClock.now - topLevelStart.withLock { $0 }
        if elapsed > .seconds(limits.maxTopLevelSeconds) {
            throw RuntimeError(span, "the recipe's top level computed for more than \(Int(limits.maxTopLevelSeconds)) s",
                               hint: "a loop or a recursion that does not end? Time spent in `on` blocks does not count")
        }
    }

    /// Runs an `on` block; its time is not the top level's.
    func excludingTime<T>(_ body: () async throws -> T) async rethrows -> T {
        let started = ContinuousClock.now
        defer {
            let spent = ContinuousClock.now - started
            topLevelStart.withLock { $0 += spent }
        }
        return try await body()
    }

    /// The value, unless it is a string or list past the limits.
    @discardableResult
    func checkSize(_ value: Value, at span: Span) throws -> Value {
        switch value {
        case .string(let text): try checkString(bytes: text.utf8.count, at: span)
        case .list(let items): try checkList(items: items.count, at: span)
        default: break
        }
        return value
    }

    func checkString(bytes: Int, at span: Span) throws {
        if bytes > limits.maxStringBytes {
            throw RuntimeError(span, "this string would be \(bytes) bytes long, past the limit of \(limits.maxStringBytes)",
                               hint: "a string that keeps growing in a loop? Files are written whole with `file`; build the content once")
        }
    }

    func checkList(items: Int, at span: Span) throws {
        if items > limits.maxListItems {
            throw RuntimeError(span, "this list would hold \(items) items, past the limit of \(limits.maxListItems)",
                               hint: "a list that keeps growing in a loop?")
        }
    }

    /// Refuses a value whose text (`${value}`, `str`, `log`) would be past the string limit,
    /// before that text is built: lists can share their items, so a small value may stand
    /// for an enormous text.
    func checkText(of value: Value, at span: Span) throws {
        if case .string(let text) = value { return try checkString(bytes: text.utf8.count, at: span) }
        let size = value.textSize(upTo: limits.maxStringBytes + 1)
        if size > limits.maxStringBytes { try checkString(bytes: size, at: span) }
    }
}

extension Value {
    /// About how many bytes `interpolated` writes, counted only up to `limit` (the count
    /// stops there: the walk costs at most `limit` steps however large the value is).
    func textSize(upTo limit: Int) -> Int {
        var total = 0
        func add(_ value: Value) {
            guard total < limit else { return }
            switch value {
            case .string(let text): total += text.utf8.count + 2
            case .list(let items):
                total += 2
                for item in items where total < limit { add(item); total += 2 }
            case .record(let fields):
                total += 4
                for (key, field) in fields where total < limit { total += key.utf8.count + 3; add(field) }
            case .host(let host): total += host.description.utf8.count
            case .none, .bool, .int: total += 20
            }
        }
        add(self)
        return total
    }
}
