import OrderedCollections

/// One declared parameter with the Swift type its value is read as. An op declares each of
/// its parameters once, as a `static let` key, lists the keys' `spec`s in its `OpSpec`, and
/// reads every argument through a key (`arguments[Self.path]`): a misspelt key does not
/// compile, and the reading (what `none` or a single value becomes) is chosen once, with it.
///
///     static let path = Param.string("path", positional: true, doc: "Absolute path of the file.")
///     static let mode = Param.optionalString("mode", .oneOf([.string, .none]), rule: .octalMode, doc: "...")
///     ... OpSpec(name: "file", ..., params: [path.spec, mode.spec, ...])
///     let path = arguments[Self.path]
public struct Param<Reading>: Sendable {
    /// What the checker, the argument binder and the docs read: name, type, default, doc.
    public let spec: ParamSpec
    /// The bound value (default filled in, type checked) as the op reads it.
    fileprivate let reading: @Sendable (Value) -> Reading

    /// Ops use the factories below, one per reading; `value` reads as given, for any other.
    init(_ spec: ParamSpec, reading: @escaping @Sendable (Value) -> Reading) {
        self.spec = spec
        self.reading = reading
    }

    public var name: String { spec.name }
}

extension OpArguments {
    /// The argument of a declared parameter, read as its key says. Every declared parameter
    /// has a value (defaults filled in), so a key without one is a key of another op: debug
    /// builds (every test) stop on it instead of reading `none`.
    public subscript<Reading>(param: Param<Reading>) -> Reading {
        guard let value = values[param.name] else {
            assertionFailure("`\(param.name)` is not a parameter of this op (declared: \(values.keys.joined(separator: ", ")))")
            return param.reading(.none)
        }
        return param.reading(value)
    }
}

// MARK: - Readings

// Each factory takes what `ParamSpec` takes. The type, which the checker checks and the docs
// show, defaults to the reading's own; an optional reading's default is `none`, which the
// parameter then accepts whatever its type says (`ParamSpec.acceptedType`).

extension Param where Reading == String {
    /// A string: `none` reads "", any other value as `${value}` would write it.
    public static func string(_ name: String, default defaultValue: String? = nil, positional: Bool = false,
                              choices: [String]? = nil, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, .string, default: defaultValue.map(Value.string), positional: positional,
                        choices: choices, rule: rule, doc: doc), reading: text)
    }

    /// The reading of `string`, for the optional ones.
    static func text(_ value: Value) -> String {
        switch value {
        case .string(let text): return text
        case .none: return ""
        case let other: return other.interpolated
        }
    }
}

extension Param where Reading == String? {
    /// A string that may be left out (its default is `none`): nil for `none`, else as `string`
    /// reads it.
    public static func optionalString(_ name: String, _ type: ValueType = .string, positional: Bool = false,
                                      choices: [String]? = nil, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: Value.none, positional: positional, choices: choices, rule: rule, doc: doc)) {
            if case .none = $0 { return nil }
            return Param<String>.text($0)
        }
    }

    /// A string that may be left out, where an empty one means left out too: nil for `none`
    /// and for "".
    public static func nonEmptyString(_ name: String, _ type: ValueType = .string, positional: Bool = false,
                                      choices: [String]? = nil, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: Value.none, positional: positional, choices: choices, rule: rule, doc: doc)) {
            if case .none = $0 { return nil }
            let text = Param<String>.text($0)
            return text.isEmpty ? nil : text
        }
    }
}

extension Param where Reading == Int {
    /// An int: anything else reads 0.
    public static func int(_ name: String, default defaultValue: Int? = nil, positional: Bool = false,
                           rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, .int, default: defaultValue.map(Value.int), positional: positional, rule: rule, doc: doc)) {
            $0.asInt ?? 0
        }
    }
}

extension Param where Reading == Int? {
    /// An int that may be left out (its default is `none`): nil for anything but an int.
    public static func optionalInt(_ name: String, _ type: ValueType = .int, positional: Bool = false,
                                   rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: Value.none, positional: positional, rule: rule, doc: doc)) { $0.asInt }
    }
}

extension Param where Reading == Bool {
    /// A bool: anything else reads false.
    public static func bool(_ name: String, default defaultValue: Bool? = nil, positional: Bool = false,
                            rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, .bool, default: defaultValue.map(Value.bool), positional: positional, rule: rule, doc: doc)) {
            $0.asBool ?? false
        }
    }
}

extension Param where Reading == Bool? {
    /// A bool that may be left out (its default is `none`): nil for anything but a bool.
    public static func optionalBool(_ name: String, _ type: ValueType = .bool, positional: Bool = false,
                                    rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: Value.none, positional: positional, rule: rule, doc: doc)) { $0.asBool }
    }
}

extension Param where Reading == [String] {
    /// A string-or-list parameter as a list of strings: a list's items as `${item}` writes
    /// them, `none` as [], any single value as a list of one.
    public static func strings(_ name: String, _ type: ValueType = .list(.string), default defaultValue: [String]? = nil,
                               positional: Bool = false, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: defaultValue.map { .list($0.map(Value.string)) }, positional: positional,
                        rule: rule, doc: doc)) {
            switch $0 {
            case .list(let items): return items.map(\.interpolated)
            case .none: return []
            case let single: return [single.interpolated]
            }
        }
    }
}

extension Param where Reading == [Value] {
    /// A list, its items as they are: anything else reads [].
    public static func list(_ name: String, _ type: ValueType = .list(.any), default defaultValue: [Value]? = nil,
                            positional: Bool = false, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: defaultValue.map(Value.list), positional: positional, rule: rule, doc: doc)) {
            $0.asList ?? []
        }
    }
}

extension Param where Reading == OrderedDictionary<String, Value> {
    /// A record, its fields in order: anything else reads [:].
    public static func record(_ name: String, default defaultValue: OrderedDictionary<String, Value>? = nil,
                              positional: Bool = false, rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, .record, default: defaultValue.map(Value.record), positional: positional, rule: rule, doc: doc)) {
            $0.asRecord ?? [:]
        }
    }
}

extension Param where Reading == Value {
    /// The value as it was given (or its default), for a parameter of several types that
    /// the op tells apart itself (`ports: 16509` or `ports: [111, "32803/udp"]`).
    public static func value(_ name: String, _ type: ValueType, default defaultValue: Value? = nil, positional: Bool = false,
                             rule: ValueRule? = nil, doc: String) -> Param {
        Param(ParamSpec(name, type, default: defaultValue, positional: positional, rule: rule, doc: doc)) { $0 }
    }
}
