import OrderedCollections
import DSL

/// One parameter of an operation or built-in function, declared once: the checker, the
/// argument unpacking, `crucible-sh ops NAME` and docs/ops.md all read this.
public struct ParamSpec: Sendable {
    public var name: String
    public var type: ValueType
    /// nil when the parameter is required.
    public var defaultValue: Value?
    public var doc: String
    /// Positional parameters may be given without their name, in declaration order.
    public var positional: Bool
    /// For string parameters with a closed set of values (`state: "restarted"`).
    public var choices: [String]?
    /// What a value must also be beyond its type (one line, an octal mode): checked on
    /// literals before the run and on every value before the op runs.
    public var rule: ValueRule?

    public init(_ name: String, _ type: ValueType, default defaultValue: Value? = nil,
                positional: Bool = false, choices: [String]? = nil, rule: ValueRule? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.positional = positional
        self.choices = choices
        self.rule = rule
    }

    public var isRequired: Bool { defaultValue == nil }

    /// The types a call may pass. A parameter whose default is `none` (left out: not used)
    /// also takes `none` written out: one spelling of "optional" for every op.
    public var acceptedType: ValueType {
        guard case .some(.none) = defaultValue, !type.accepts(.none) else { return type }
        return .oneOf([type, .none])
    }
}

/// What an operation does on a host, or what a pure built-in computes.
public enum OpBody: Sendable {
    /// A pure function of its arguments; may run anywhere (outside host blocks too).
    case pure(@Sendable (OpArguments) throws -> Value)
    /// Reads from the host and returns a value; changes nothing (facts, detect-nfs).
    case query(@Sendable (OpArguments, HostContext) async throws -> Value)
    /// Reads the host's state and plans the actions that close the gap; the interpreter
    /// applies the plan, or only shows it in check mode. The same code decides in both.
    case plan(@Sendable (OpArguments, HostContext) async throws -> OpPlan)
    /// A line for the run's output (`log`): the interpreter prints it in order with the ops
    /// around it, with the host's name inside `on` blocks. Runs anywhere.
    case report(@Sendable (OpArguments) -> String)
    /// A check reported per host (`expect`): ok, or failed with the message; a failed one
    /// fails the host when its block ends. Returns whether it holds.
    case check(@Sendable (OpArguments) -> (holds: Bool, message: String))
}

/// The declaration of an operation or built-in function.
public struct OpSpec: Sendable {
    public var name: String
    public var summary: String
    public var params: [ParamSpec]
    /// Recipe snippets, shown by `crucible-sh ops NAME` and in docs/ops.md.
    public var examples: [String]
    /// The type of the value a call produces (ops: a record with `changed`, `diff`...).
    public var returns: ValueType
    /// Fields of the returned record beyond the common ones (`OpRecord.commonFields`, which
    /// every changing op has): the checker knows them, the docs list them, and the run fills
    /// in any the op did not set.
    public var resultFields: [FieldSpec]
    public var body: OpBody
    /// Trailing `{ key = value ... }` block, passed as this parameter (edit-ini's keys).
    public var blockParam: String?
    /// Parameters that let a call skip work already done (`run`: `creates`, `unless`): a call
    /// with none of them runs every time and is reported changed every time (W-run-always).
    public var guards: [String]?
    /// What a call may change of what ops read, whatever it plans: check mode takes this in
    /// when it cannot plan the call (`UnknownInCheckMode`). nil: anything.
    public var mayChange: (@Sendable (OpArguments) -> CommandEffect)?

    public init(name: String, summary: String, params: [ParamSpec], examples: [String] = [],
                returns: ValueType = .record, resultFields: [FieldSpec] = [],
                blockParam: String? = nil, guards: [String]? = nil, body: OpBody) {
        self.name = name
        self.summary = summary
        self.params = params
        self.examples = examples
        self.returns = returns
        self.resultFields = resultFields
        self.blockParam = blockParam
        self.guards = guards
        self.body = body
    }

    /// The spec with `mayChange` set.
    public func mayChange(_ effect: @escaping @Sendable (OpArguments) -> CommandEffect) -> OpSpec {
        var spec = self
        spec.mayChange = effect
        return spec
    }

    /// Ops and queries need a host; pure functions do not.
    public var needsHost: Bool {
        switch body {
        case .pure, .report: return false
        case .query, .plan, .check: return true
        }
    }

    public var isChangingOp: Bool {
        if case .plan = body { return true }
        return false
    }

    /// A check reported per host (`expect`).
    public var isCheck: Bool {
        if case .check = body { return true }
        return false
    }

    public func param(named name: String) -> ParamSpec? { params.first { $0.name == name } }

    /// Every field of the record a call returns, when they are declared: the common ones of
    /// changing ops, then the op's own.
    public var resultShape: RecordShape? {
        let fields = (isChangingOp ? OpRecord.commonFields : []) + resultFields
        guard !fields.isEmpty else { return nil }
        return RecordShape(owner: "the result of `\(name)`", fields: fields)
    }

    /// `returns`, with its record typed by `resultShape`.
    public var resultType: ValueType {
        guard let shape = resultShape else { return returns }
        switch returns {
        case .record: return .shaped(shape)
        case .oneOf(let options): return .oneOf(options.map { $0 == .record ? .shaped(shape) : $0 })
        default: return returns
        }
    }

    /// The op's details with every declared field present (an op that has nothing to say
    /// about a field on one of its paths leaves it empty), so a field the checker accepted
    /// is always there at run time.
    public func completing(_ details: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        var complete = details
        for field in resultFields where complete[field.name] == nil { complete[field.name] = field.emptyValue }
        return complete
    }
}

/// Arguments of one call, already matched to the declared parameters, defaults filled in
/// and types checked. Ops read them through their parameters' keys (`arguments[Self.path]`,
/// `Param`), never by a name written again.
public struct OpArguments: Sendable {
    public var values: OrderedDictionary<String, Value>
    /// Where each argument was written, for runtime errors about a value.
    public var spans: [String: Span]
    public var callSpan: Span?
    /// False when the call is a statement of its own, its result thrown away: an op may
    /// then skip work that only its result needs (`run` queues its command with the others).
    public var resultUsed = true

    public init(values: OrderedDictionary<String, Value>, spans: [String: Span] = [:], callSpan: Span? = nil) {
        self.values = values
        self.spans = spans
        self.callSpan = callSpan
    }
}

/// An op failure that is about the op's input or the host's state, not the connection.
public struct OpError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    /// When a command failed: what the op's commands printed, the failing one last.
    public var output: [CommandOutput]
    public init(_ message: String, hint: String? = nil, output: [CommandOutput] = []) {
        self.message = message
        self.hint = hint
        self.output = output
    }
    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}
