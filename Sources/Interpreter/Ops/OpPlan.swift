import OrderedCollections

/// One step that changes a host. Plans are lists of these; check mode shows them, a real
/// run applies them in order.
public enum PlannedAction: Sendable, Equatable {
    /// Replace (or create) a file. `before` is nil when the file does not exist yet.
    case writeFile(path: String, before: [UInt8]?, after: [UInt8], options: WriteOptions)
    /// Run a shell command (built with `ShellQuote`), described for humans by `summary`.
    case run(command: String, summary: String)

    public var summary: String {
        switch self {
        case .writeFile(let path, let before, _, _): return before == nil ? "create \(path)" : "edit \(path)"
        case .run(_, let summary): return summary
        }
    }
}

/// What an op decided: the actions that close the gap between the host and the request,
/// or none with the reason nothing is needed.
public struct OpPlan: Sendable {
    public var actions: [PlannedAction]
    /// Why there is nothing to do, when that is not obvious ("SELinux is disabled").
    public var reason: String?
    /// Extra fields for the op's result record.
    public var details: OrderedDictionary<String, Value>

    public init(actions: [PlannedAction] = [], reason: String? = nil, details: OrderedDictionary<String, Value> = [:]) {
        self.actions = actions
        self.reason = reason
        self.details = details
    }

    public static func noChange(_ reason: String? = nil, details: OrderedDictionary<String, Value> = [:]) -> OpPlan {
        OpPlan(actions: [], reason: reason, details: details)
    }

    public var changes: Bool { !actions.isEmpty }
}
