import DSL

/// A value for a recipe param from outside the recipe: `--set NAME=VALUE` or a params file.
public struct ParamInput: Sendable {
    public enum Origin: Sendable {
        case commandLine
        /// Where the value was written in a params file.
        case file(Span)
    }

    public var name: String
    public var raw: String
    /// A value already typed (a params file's literal), used instead of `raw`.
    public var value: Value?
    public var origin: Origin
    /// The literal as written in a params file, so an error about one item of a list
    /// points at that item.
    public var valueExpr: Expr?
    /// Set when a params file line gives no usable value; see `Gap`.
    public var gap: Gap?

    /// Why a params file line gives no value.
    public enum Gap: Sendable {
        /// `name = required`, as generated for a param without a default: reported as
        /// missing unless a later file or `--set` gives the value.
        case required
        /// A value the params file reader already reported; not reported again.
        case malformed
    }

    public init(name: String, raw: String, origin: Origin = .commandLine) {
        self.name = name
        self.raw = raw
        self.origin = origin
    }

    public init(name: String, value: Value, origin: Origin) {
        self.name = name
        self.raw = value.interpolated
        self.value = value
        self.origin = origin
    }

    /// A params file line without a usable value; `origin` holds the name's span, `valueExpr` what was written.
    public init(name: String, gap: Gap, origin: Origin, valueExpr: Expr?) {
        self.name = name
        self.raw = ""
        self.gap = gap
        self.origin = origin
        self.valueExpr = valueExpr
    }
}

/// Turns the text of a `--set` value into a value of the param's type.
public enum ParamConversion {
    public static func convert(_ raw: String, to type: ValueType) -> Result<Value, ValueError> {
        switch type {
        case .any, .string:
            return .success(.string(raw))
        case .int:
            guard let value = Int(raw.trimmed) else { return .failure(ValueError("`\(raw)` is not an integer")) }
            return .success(.int(value))
        case .bool:
            switch raw.trimmed.lowercased() {
            case "true", "yes", "on", "1": return .success(.bool(true))
            case "false", "no", "off", "0": return .success(.bool(false))
            default: return .failure(ValueError("`\(raw)` is not a boolean (true or false)"))
            }
        case .host:
            return host(raw).map(Value.host)
        case .list(let element):
            guard !raw.trimmed.isEmpty else {
                return .failure(ValueError("the value is empty; give a comma-separated list such as `a,b`"))
            }
            var items: [Value] = []
            for (position, piece) in raw.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let item = piece.trimmingCharacters(in: .whitespaces)
                guard !item.isEmpty else { return .failure(ValueError("item \(position + 1) of `\(raw)` is empty")) }
                switch convert(item, to: element) {
                case .success(let value): items.append(value)
                case .failure(let message): return .failure(ValueError("item \(position + 1): \(message)"))
                }
            }
            return .success(.list(items))
        case .record, .shaped, .none, .oneOf:
            return .failure(ValueError("\(type.withArticle) param cannot be given on the command line; set it in the recipe or a params file"))
        }
    }

    /// `[user@]address[:port]`, `local`, or `NAME=[user@]address[:port]` with a display name.
    public static func host(_ raw: String) -> Result<HostTarget, ValueError> {
        var text = raw.trimmed
        var displayName: String?
        if let eq = text.firstIndex(of: "=") {
            displayName = String(text[..<eq]).trimmed
            text = String(text[text.index(after: eq)...]).trimmed
            if displayName?.isEmpty == true { return .failure(ValueError("the display name before `=` in `\(raw)` is empty")) }
            if let name = displayName, name.contains(where: { $0.isWhitespace || $0 == "#" }) {
                return .failure(ValueError("`\(name)` is not a display name: it is one word, written into /etc/hosts"))
            }
        }
        do {
            var target = try HostTarget.parse(text)
            target.displayName = displayName
            return .success(target)
        } catch {
            return .failure(ValueError("`\(raw)` is not a host: \(error)"))
        }
    }
}

/// Why a value could not be converted; the message names the value and what was expected.
public struct ValueError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
