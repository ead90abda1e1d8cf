import OrderedCollections

/// A runtime value of the recipe language.
public enum Value: Sendable, Hashable {
    case none
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([Value])
    /// Records keep their fields in the order they were written.
    case record(OrderedDictionary<String, Value>)
    case host(HostTarget)

    public var type: ValueType {
        switch self {
        case .none: return .none
        case .bool: return .bool
        case .int: return .int
        case .string: return .string
        case .host: return .host
        case .list(let items):
            let first = items.first?.type ?? .any
            return .list(items.allSatisfy { $0.type == first } ? first : .any)
        case .record: return .record
        }
    }

    /// Truthiness for `if` and `not`: only booleans are allowed there; the checker enforces it.
    public var asBool: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var asString: String? { if case .string(let value) = self { return value } else { return nil } }
    public var asInt: Int? { if case .int(let value) = self { return value } else { return nil } }
    public var asList: [Value]? { if case .list(let value) = self { return value } else { return nil } }
    public var asHost: HostTarget? { if case .host(let value) = self { return value } else { return nil } }
    public var asRecord: OrderedDictionary<String, Value>? {
        if case .record(let value) = self { return value } else { return nil }
    }

    public subscript(field: String) -> Value? { asRecord?[field] }

    /// How a value reads when interpolated into a string: strings bare, everything else
    /// as its literal.
    public var interpolated: String {
        switch self {
        case .string(let text): return text
        case .host(let host): return host.address
        default: return literal
        }
    }

    /// The value written as recipe source (strings quoted and escaped).
    public var literal: String {
        switch self {
        case .none: return "none"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let text): return Value.quoted(text)
        case .host(let host): return Value.quoted(host.description)
        case .list(let items): return "[" + items.map(\.literal).joined(separator: ", ") + "]"
        case .record(let fields):
            if fields.isEmpty { return "{}" }
            return "{ " + fields.map { "\($0.key) = \($0.value.literal)" }.joined(separator: ", ") + " }"
        }
    }

    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "$": out += "\\$"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Static types, used by the checker before anything runs.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case any
    case none
    case bool
    case int
    case string
    case host
    case list(ValueType)
    case record
    /// A record whose fields are known before the run (an op's result, the facts, a record
    /// literal). Anywhere a record is accepted, so is this; it reads as "record" in messages.
    case shaped(RecordShape)
    /// One of several (a param that takes a string or a list of them, say).
    case oneOf([ValueType])

    /// Whether a value of type `other` may be passed where `self` is expected.
    public func accepts(_ other: ValueType) -> Bool {
        switch (self, other) {
        case (.shaped, _): return ValueType.record.accepts(other)
        case (_, .shaped): return accepts(.record)
        case (.any, _), (_, .any): return true
        case (.oneOf(let options), _): return options.contains { $0.accepts(other) }
        case (_, .oneOf(let options)): return options.allSatisfy { self.accepts($0) }
        case (.list(let want), .list(let have)): return want.accepts(have)
        // A host may be written as a string literal ("root@10.0.0.1"); it is parsed when used.
        case (.host, .string): return true
        default: return self == other
        }
    }

    public var description: String {
        switch self {
        case .any: return "any"
        case .none: return "none"
        case .bool: return "bool"
        case .int: return "int"
        case .string: return "string"
        case .host: return "host"
        case .list(let element): return "[\(element)]"
        case .record, .shaped: return "record"
        case .oneOf(let options): return options.map(\.description).joined(separator: " or ")
        }
    }
}

extension ValueType {
    /// True for records, with or without known fields.
    public var isRecord: Bool {
        switch self {
        case .record, .shaped: return true
        default: return false
        }
    }

    /// "an int", "a string", "a list [host]": for messages.
    public var withArticle: String {
        let text = description
        if case .list = self { return "a list \(text)" }
        return ("aeiou".contains(text.first ?? "x") ? "an " : "a ") + text
    }
}
