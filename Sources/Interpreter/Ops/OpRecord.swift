import OrderedCollections

/// What one op call did (or, in check mode, would do) on one host: the op's result in the
/// recipe (`value`), its line in the report and the live display, and its entry in `--json`.
public struct OpRecord: Sendable, Codable, Equatable {
    /// `unknown`: check mode could not plan it, because what it reads depends on a change
    /// the dry run does not make (`PlannedState`); a real run would decide there.
    public enum Status: String, Sendable, Codable { case ok, changed, failed, unknown }
    public var op: String
    /// `file:line:col` of the call in the recipe.
    public var location: String
    public var status: Status
    /// Unified diffs of the files the op changed (or would change), one after another.
    public var diff: String
    /// The commands run (or that would run), as shown to users: secrets never appear in
    /// them because values reach commands only as arguments the op chose to show.
    public var commands: [String]
    /// Why it changed nothing, or a note about what it did.
    public var reason: String?
    public var error: String?
    /// Wall time: planning, plus the time its own steps took on the host when they ran in
    /// a batch (`ApplyBatch` stamps each step).
    public var milliseconds: Int
    /// What each command the op ran printed, in order; the failing one last, with its status.
    public var output: [CommandOutput]
    /// The op's own result fields (`OpSpec.resultFields`): in the recipe's value, not the report.
    public var details: OrderedDictionary<String, Value> = [:]

    enum CodingKeys: String, CodingKey {
        case op, location, status, diff, commands, reason, error, milliseconds, output
    }

    public init(op: String, location: String, status: Status, diff: String = "", commands: [String] = [],
                reason: String? = nil, error: String? = nil, milliseconds: Int = 0, output: [CommandOutput] = [],
                details: OrderedDictionary<String, Value> = [:]) {
        self.op = op
        self.location = location
        self.status = status
        self.diff = diff
        self.commands = commands
        self.reason = reason
        self.error = error
        self.milliseconds = milliseconds
        self.output = output
        self.details = details
    }

    /// Whether the op changed the host (in check mode: would change it; an op check mode
    /// could not plan counts as changing, so `if x.changed` takes the branch that does more).
    public var changed: Bool { status == .changed || status == .unknown }

    /// The command that failed, when the op failed because a command did.
    public var failedCommand: CommandOutput? {
        guard status == .failed, let last = output.last, last.status != 0 else { return nil }
        return last
    }

    /// The fields every changing op's result has, before its own (`OpSpec.resultFields`).
    public static let commonFields = [
        FieldSpec("changed", .bool, doc: "Whether the op changed the host (in check mode: would change it)."),
        FieldSpec("diff", .string, doc: "Unified diffs of the files it changed, one after another."),
        FieldSpec("commands", .list(.string), doc: "The commands it ran, as shown in the report."),
        FieldSpec("reason", .string, doc: "Why it changed nothing, or a note about what it did; empty otherwise."),
    ]

    /// The op's result as a recipe value: `{changed, diff, commands, reason, ...details}`.
    public var value: Value {
        var fields: OrderedDictionary<String, Value> = [
            "changed": .bool(changed),
            "diff": .string(diff),
            "commands": .list(commands.map(Value.string)),
            "reason": .string(reason ?? ""),
        ]
        for (key, value) in details { fields[key] = value }
        return .record(fields)
    }
}
