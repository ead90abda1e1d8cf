/// A span-free description of a parsed recipe, so two parses of differently laid out text
/// can be compared: the formatter's check that it kept the meaning, and the tests'.
///
/// Every node becomes an S-expression of its kind and contents; positions are left out,
/// doc comments are kept (they are part of what `crucible-sh ops`-style help shows).
public enum ASTShape {
    public static func describe(_ program: Program) -> String {
        program.statements.map(describe).joined(separator: "\n")
    }

    public static func describe(_ statement: Stmt) -> String {
        switch statement {
        case .param(let decl):
            return "(param \(decl.name.name) \(decl.type?.description ?? "_") \(optional(decl.defaultValue)) doc:\(docText(decl.doc)))"
        case .let(let name, let value, _):
            return "(let \(name.name) \(describe(value)))"
        case .assign(let name, let value, _):
            return "(assign \(name.name) \(describe(value)))"
        case .expression(let expr):
            return "(expr \(describe(expr)))"
        case .if(let condition, let then, let otherwise, _):
            return "(if \(describe(condition)) \(describe(then)) \(otherwise.map(describe) ?? "_"))"
        case .for(let name, let sequence, let body, _):
            return "(for \(name.name) \(describe(sequence)) \(describe(body)))"
        case .on(let targets, let body, let phase, _):
            return "(\(phase == .change ? "on" : "\(phase.rawValue)-on") \(describe(targets)) \(describe(body)))"
        case .function(let decl):
            let parameters = decl.parameters.map { "\($0.name.name)=\(optional($0.defaultValue))" }.joined(separator: " ")
            return "(fn \(decl.name.name) (\(parameters)) \(describe(decl.body)) doc:\(docText(decl.doc)))"
        case .return(let value, _):
            return "(return \(optional(value)))"
        case .include(let path, _, let statements):
            return "(include \(path.debugDescription) \(statements.map(describe).joined(separator: " ")))"
        case .block(let block):
            return describe(block)
        }
    }

    public static func describe(_ block: Block) -> String {
        "{" + block.statements.map(describe).joined(separator: " ") + "}"
    }

    public static func describe(_ expr: Expr) -> String {
        switch expr {
        case .integer(let value, _): return String(value)
        case .bool(let value, _): return String(value)
        case .none: return "none"
        case .string(let parts, _):
            let inner = parts.map { part -> String in
                switch part {
                case .text(let text): return text.debugDescription
                case .expression(let inner): return "${\(describe(inner))}"
                }
            }
            return "(str \(inner.joined(separator: " ")))"
        case .variable(let identifier): return identifier.name
        case .list(let items, _): return "[" + items.map(describe).joined(separator: " ") + "]"
        case .record(let fields, _):
            return "(record " + fields.map { "\($0.key.debugDescription)=\(describe($0.value))" }.joined(separator: " ") + ")"
        case .field(let base, let name, _): return "(. \(describe(base)) \(name.name))"
        case .index(let base, let key, _): return "(index \(describe(base)) \(describe(key)))"
        case .unary(let op, let operand, _): return "(\(op.rawValue) \(describe(operand)))"
        case .binary(let op, let left, let right, _, _): return "(\(op.rawValue) \(describe(left)) \(describe(right)))"
        case .call(let call):
            let arguments = call.arguments.map { argument in
                (argument.label.map { "\($0.name): " } ?? "") + describe(argument.value)
            }
            return "(call \(call.callee.name) \(arguments.joined(separator: " ")) block:\(optional(call.block)))"
        case .named(let host, let name, _): return "(as \(describe(host)) \(describe(name)))"
        }
    }

    /// A doc comment without the trailing whitespace of its lines, which no one can see
    /// (the formatter trims it from comments).
    static func docText(_ doc: String) -> String {
        doc.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = Substring(line)
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line = line.dropLast() }
            return String(line)
        }.joined(separator: "\n").debugDescription
    }

    static func optional(_ expr: Expr?) -> String { expr.map(describe) ?? "_" }
}
