import ArgumentParser
import Interpreter
import Stdlib

struct Ops: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in operations, or show one with its parameters and examples.")

    @Argument(help: "An operation name.", completion: Completions.opNames)
    var name: String?

    @Flag(help: "Print the reference of every op as Markdown (docs/ops.md is generated with this).")
    var markdown = false

    func run() throws {
        if markdown {
            print(OpsDocs.markdown(Stdlib.all), terminator: "")
            return
        }
        guard let name else {
            let width = Stdlib.all.map(\.name.count).max() ?? 0
            for op in Stdlib.all { print(op.name.padding(width) + "  " + op.summary) }
            return
        }
        guard let op = Stdlib.spec(named: name) else {
            printError("error: no operation `\(name)`\(Suggestions.hint(for: name, in: Stdlib.all.map(\.name)).map { "; \($0)" } ?? "")\n")
            printError("`crucible-sh ops` lists them all\n")
            throw ExitStatus.recipeError
        }
        print(OpsDocs.text(op), terminator: "")
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
        var text = "\(param.name) (\(param.type)"
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
        if op.isChangingOp || !op.resultFields.isEmpty {
            out += "\nResult: a record"
            out += op.isChangingOp ? " with changed (bool), diff (string), commands ([string]), reason (string)" : ""
            for field in op.resultFields { out += ", \(field.name) (\(field.doc))" }
            out += "\n"
        }
        if !op.examples.isEmpty {
            out += "\nExamples:\n"
            for example in op.examples { out += example.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n") + "\n" }
        }
        return out
    }

    static func markdown(_ ops: [OpSpec]) -> String {
        var out = "# Operations and built-in functions\n\nGenerated from the ops' declarations by `crucible-sh ops --markdown`; do not edit.\n\n"
        for op in ops { out += "- [`\(op.name)`](#\(op.name)): \(op.summary)\n" }
        for op in ops {
            out += "\n## \(op.name)\n\n`\(signature(op))`\n\n\(op.summary)\n\n"
            if !op.params.isEmpty {
                out += "| parameter | type | default | description |\n|---|---|---|---|\n"
                for param in op.params {
                    let type = "\(param.type)".replacingAll("|", with: "\\|") + (param.positional ? " (positional)" : "")
                    let def = param.defaultValue.map { "`\($0.literal)`" } ?? "required"
                    var doc = param.doc
                    if let choices = param.choices { doc += " One of: " + choices.map { "`\($0)`" }.joined(separator: ", ") + "." }
                    out += "| `\(param.name)` | \(type) | \(def) | \(doc.replacingAll("|", with: "\\|")) |\n"
                }
                out += "\n"
            }
            if op.isChangingOp { out += "Result: `changed`, `diff`, `commands`, `reason`" + op.resultFields.map { ", `\($0.name)` (\($0.doc))" }.joined() + ".\n\n" }
            else if !op.resultFields.isEmpty { out += "Result fields: " + op.resultFields.map { "`\($0.name)` (\($0.doc))" }.joined(separator: ", ") + ".\n\n" }
            if !op.examples.isEmpty { out += "```\n" + op.examples.joined(separator: "\n") + "\n```\n" }
        }
        return out
    }
}
