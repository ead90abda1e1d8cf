import DSL

/// Writes a params file for a recipe: a header saying how to use it, then every param
/// with its doc comment, its type, and its default or given value.
///
/// A required param without a value is written as `name = required`: the file reads
/// fine, but lint and run report that line (with a caret) until it holds a value, so an
/// unedited file never runs with a guessed value.
public struct ParamsFileWriter {
    /// A param's entry: the declaration, its type, and the value to write when one was given.
    public struct Entry {
        public let decl: ParamDecl
        public let type: ValueType
        /// The value given (`--set` or an earlier params file), and where it came from.
        public let given: (value: Value, from: String)?

        public init(decl: ParamDecl, type: ValueType, given: (value: Value, from: String)?) {
            self.decl = decl
            self.type = type
            self.given = given
        }
    }

    /// How the recipe is named on the command line (`live-migration`, `site/migrate.crucible`).
    public let recipe: String
    public let entries: [Entry]

    public init(recipe: String, entries: [Entry]) {
        self.recipe = recipe
        self.entries = entries
    }

    public func render() -> String {
        var lines = header
        if entries.isEmpty { lines += ["", "# This recipe has no params."] }
        for entry in entries {
            lines.append("")
            lines += paramLines(entry)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var header: [String] {
        let recipeWord = ShellQuote.quote(recipe)
        return [
            "# Params for the recipe \(recipeWord), written by `crucible-sh params \(recipeWord)`.",
            "#",
            "# Edit the values, keep this file with your site's settings, then:",
            "#   crucible-sh lint \(recipeWord) --params THIS_FILE",
            "#   crucible-sh run \(recipeWord) --params THIS_FILE --check    (shows what would change)",
            "#   crucible-sh run \(recipeWord) --params THIS_FILE",
            "# Several --params files may be given: later files override earlier ones, and",
            "# `--set NAME=VALUE` overrides every file.",
            "#",
            "# Values are literals in the recipe language: \"text\" (escapes \\\" \\\\ \\n \\$), 42, true or false,",
            "# [\"lists\", \"of\", \"values\"], and hosts as \"root@10.0.0.1\", \"root@10.0.0.1:2222\", or with a",
            "# display name (used in reports and /etc/hosts) as \"ctl1=root@10.0.0.1\" or \"root@10.0.0.1\" as \"ctl1\".",
            "# `\(ParamsFile.requiredPlaceholder)` marks a param that has no default: lint and run stop at it until",
            "# it holds a value. Delete a line to use the recipe's default.",
        ]
    }

    func paramLines(_ entry: Entry) -> [String] {
        let name = entry.decl.name.name
        var lines = entry.decl.doc.isEmpty ? [] : entry.decl.doc.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "#" : "# \($0)" }
        let fromNote = entry.given.map { "; this value from \($0.from)" } ?? ""
        guard let defaultExpr = entry.decl.defaultValue else {
            lines.append("# \(entry.type), required\(fromNote)")
            lines.append("\(name) = \(entry.given.map { Self.literal($0.value) } ?? ParamsFile.requiredPlaceholder)")
            return lines
        }
        switch LiteralValue.evaluate(defaultExpr) {
        case .success(let defaultValue):
            lines.append("# \(entry.type), default \(Self.literal(defaultValue))\(fromNote)")
            lines.append("\(name) = \(Self.literal(entry.given?.value ?? defaultValue))")
        case .failure:
            lines.append("# \(entry.type), computed by the recipe by default: \(defaultExpr.span.text)\(fromNote)")
            if let given = entry.given {
                lines.append("\(name) = \(Self.literal(given.value))")
            } else {
                lines.append("# \(name) = \(ParamConformance.example(for: entry.type))")
            }
        }
        return lines
    }

    /// A value written so that `LiteralValue` reads it back as the same value.
    public static func literal(_ value: Value) -> String {
        switch value {
        case .host(let host):
            var bare = host
            bare.displayName = nil
            let address = Value.quoted(bare.description)
            return host.displayName.map { "\(address) as \(Value.quoted($0))" } ?? address
        case .list(let items):
            return "[" + items.map(literal).joined(separator: ", ") + "]"
        case .record(let fields):
            if fields.isEmpty { return "{}" }
            return "{ " + fields.map { "\(recordKey($0.key)) = \(literal($0.value))" }.joined(separator: ", ") + " }"
        default:
            return value.literal
        }
    }

    static func recordKey(_ key: String) -> String {
        let isWord = key.first.map { $0.isLetter || $0 == "_" } == true
            && key.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
        return isWord ? key : Value.quoted(key)
    }
}
