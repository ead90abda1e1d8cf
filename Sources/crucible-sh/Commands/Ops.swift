import ArgumentParser
import Foundation
import Interpreter
import Stdlib

struct Ops: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in operations and functions, or show one with its parameters and examples.",
        discussion: "`crucible-sh ops facts` lists every fact a recipe can read, with its values.")

    @Argument(help: "An operation or function name.", completion: Completions.opNames)
    var name: String?

    @Flag(help: "Print the reference of every op as Markdown (docs/ops.md is generated with this).")
    var markdown = false

    @Flag(help: "Print the declarations as JSON (every op, or the one named): parameters, result fields, examples.")
    var json = false

    func run() throws {
        if markdown {
            print(OpsDocs.markdown(Stdlib.all), terminator: "")
            return
        }
        guard let name else {
            if json { return print(OpsDocs.json(Stdlib.all)) }
            print(OpsDocs.list(Stdlib.all, width: Terminal.columns), terminator: "")
            return
        }
        guard let op = Stdlib.spec(named: name) else {
            printError("error: no operation `\(name)`\(Suggestions.hint(for: name, in: Stdlib.all.map(\.name)).map { "; \($0)" } ?? "")\n")
            printError("`crucible-sh ops` lists them all\n")
            throw ExitStatus.recipeError
        }
        if json { return print(OpsDocs.json([op])) }
        print(OpsDocs.wrap(OpsDocs.text(op), width: Terminal.columns), terminator: "")
    }
}

/// Renders op declarations for humans: the terminal (`ops NAME`) and docs/ops.md.
enum OpsDocs {
    static func signature(_ op: OpSpec) -> String {
        var parts = [op.name]
        for param in op.params where param.positional { parts.append(param.isRequired ? param.name.uppercased() : "[\(param.name.uppercased())]") }
        if op.params.contains(where: { !$0.positional && $0.name != op.blockParam }) { parts.append("[name: value]...") }
        if let block = op.blockParam { parts.append("{ \(block) }") }
        return parts.joined(separator: " ")
    }

    static func paramLine(_ param: ParamSpec, _ op: OpSpec) -> String {
        var text = "\(param.name) (\(param.acceptedType)"
        if param.positional { text += ", positional" }
        if param.name == op.blockParam { text += ", the { } block" }
        if let value = param.defaultValue { text += ", default \(value.literal)" } else { text += ", required" }
        text += ")"
        if let choices = param.choices { text += " one of: \(choices.joined(separator: ", "))" }
        return text + ": " + param.doc
    }

    static func text(_ op: OpSpec) -> String {
        var out = "\(signature(op))\n\n\(op.summary)\n"
        if !op.params.isEmpty {
            out += "\nParameters:\n"
            for param in op.params { out += "  " + paramLine(param, op) + "\n" }
        }
        if let shape = op.resultShape {
            out += "\nResult: a record" + (op.returns == .record ? "" : " (or none)") + "\n"
            for field in shape.fields { out += "  \(field.name) (\(fieldType(field))): \(field.doc)\n" }
        }
        if !op.examples.isEmpty {
            out += "\nExamples:\n"
            for example in op.examples { out += example.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n") + "\n" }
        }
        return out
    }

    /// `crucible-sh ops`: the operations (they need a host), then the functions (anywhere),
    /// each a name and its summary, wrapped under the summary's column.
    static func list(_ specs: [OpSpec], width: Int?) -> String {
        let nameWidth = specs.map(\.name.count).max() ?? 0
        var out = ""
        for (title, group) in [("Operations (inside `on` blocks):", specs.filter(\.needsHost)),
                               ("Functions (anywhere):", specs.filter { !$0.needsHost })] where !group.isEmpty {
            out += (out.isEmpty ? "" : "\n") + title + "\n"
            for op in group { out += wrap("  " + op.name.padding(nameWidth) + "  " + op.summary, width: width, hanging: nameWidth + 4) + "\n" }
        }
        return out
    }

    /// Each line cut into lines of at most `width` columns at spaces; continuation lines are
    /// indented like the line (or by `hanging`). nil: no wrapping.
    static func wrap(_ text: String, width: Int?, hanging: Int? = nil) -> String {
        guard let width, width > 20 else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            let leading = line.prefix { $0 == " " }.count
            let indent = String(repeating: " ", count: min(hanging ?? leading + 2, width / 2))
            var lines: [String] = []
            var current = String(line.prefix(leading))
            var atStart = true
            for word in line.dropFirst(leading).split(separator: " ", omittingEmptySubsequences: false) {
                if !atStart && current.count + 1 + word.count > width && !word.isEmpty {
                    lines.append(current)
                    current = indent + word
                } else {
                    current += (atStart ? "" : " ") + word
                }
                atStart = false
            }
            return (lines + [current]).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The declarations as JSON, for editors and tools.
    static func json(_ specs: [OpSpec]) -> String {
        struct Param: Encodable {
            var name, type, doc: String
            var positional, required: Bool
            var defaultValue: String?
            var choices: [String]?
        }
        struct Field: Encodable {
            var name, type, doc: String
            var choices: [String]?
        }
        struct Entry: Encodable {
            var name, kind, summary, signature: String
            var params: [Param]
            var result: [Field]
            var examples: [String]
        }
        let entries = specs.map { op in
            Entry(name: op.name, kind: op.isChangingOp ? "op" : op.needsHost ? "query" : "function", summary: op.summary,
                  signature: signature(op),
                  params: op.params.map { Param(name: $0.name, type: "\($0.acceptedType)", doc: $0.doc, positional: $0.positional,
                                                required: $0.isRequired, defaultValue: $0.defaultValue?.literal, choices: $0.choices) },
                  result: (op.resultShape?.fields ?? []).map {
                      Field(name: $0.name, type: "\($0.type)", doc: $0.doc, choices: $0.choices?.map(\.literal))
                  },
                  examples: op.examples)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// A result field's type, with its values when they are a closed set.
    static func fieldType(_ field: FieldSpec) -> String {
        guard let choices = field.choices else { return "\(field.type)" }
        return "\(field.type), one of " + choices.map(\.literal).joined(separator: " ")
    }

    static func markdown(_ ops: [OpSpec]) -> String {
        var out = "# Operations and built-in functions\n\nGenerated from the ops' declarations by `crucible-sh ops --markdown`; do not edit.\n\n"
        for op in ops { out += "- [`\(op.name)`](#\(op.name)): \(op.summary)\n" }
        for op in ops {
            out += "\n## \(op.name)\n\n`\(signature(op))`\n\n\(op.summary)\n\n"
            if !op.params.isEmpty {
                out += "| parameter | type | default | description |\n|---|---|---|---|\n"
                for param in op.params {
                    let type = "\(param.acceptedType)".replacingAll("|", with: "\\|") + (param.positional ? " (positional)" : "")
                    let def = param.defaultValue.map { "`\($0.literal)`" } ?? "required"
                    var doc = param.doc
                    if let choices = param.choices { doc += " One of: " + choices.map { "`\($0)`" }.joined(separator: ", ") + "." }
                    out += "| `\(param.name)` | \(type) | \(def) | \(doc.replacingAll("|", with: "\\|")) |\n"
                }
                out += "\n"
            }
            if op.isChangingOp { out += "Result: a record with the fields every op gives (`changed`, `diff`, `commands`, `reason`)" }
            else if !op.resultFields.isEmpty { out += "Result: a record" + (op.returns == .record ? "" : ", or none") }
            if !op.resultFields.isEmpty {
                out += (op.isChangingOp ? ", and:" : ":") + "\n\n| field | type | description |\n|---|---|---|\n"
                for field in op.resultFields {
                    out += "| `\(field.name)` | \(fieldType(field).replacingAll("|", with: "\\|")) | \(field.doc.replacingAll("|", with: "\\|")) |\n"
                }
                out += "\n"
            } else if op.isChangingOp {
                out += ".\n\n"
            }
            if !op.examples.isEmpty { out += "```\n" + op.examples.joined(separator: "\n") + "\n```\n" }
        }
        return out
    }
}
