/// One field of a record whose fields are known before the run: declared by an op (its
/// result), by the facts table, or written in a record literal.
public struct FieldSpec: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    /// The only values the field ever holds, when that set is closed (`init`: "systemd" or
    /// "sysv"): comparing the field with another literal is a mistake the checker reports.
    public var choices: [Value]?
    public var doc: String

    public init(_ name: String, _ type: ValueType, choices: [Value]? = nil, doc: String) {
        self.name = name
        self.type = type
        self.choices = choices
        self.doc = doc
    }

    /// A string field with a closed set of values.
    public init(_ name: String, oneOf choices: [String], doc: String) {
        self.init(name, .string, choices: choices.map(Value.string), doc: doc)
    }

    /// What the field holds in a result whose op did not set it: empty for strings and
    /// lists, `none` otherwise. A declared field is always there.
    public var emptyValue: Value {
        switch type {
        case .string: return .string("")
        case .list: return .list([])
        default: return .none
        }
    }
}

/// The fields a record has, known before the run. The checker reports any other field
/// (with the closest name as a hint) and compares closed fields with their choices.
public struct RecordShape: Sendable, Hashable {
    /// Whose record this is, as messages name it: "the result of `edit-ini`", "this record".
    public var owner: String
    public var fields: [FieldSpec]

    public init(owner: String, fields: [FieldSpec]) {
        self.owner = owner
        self.fields = fields
    }

    public func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}
