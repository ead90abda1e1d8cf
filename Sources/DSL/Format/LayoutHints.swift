/// What the formatter needs to know about a recipe that tokens alone do not tell: which `-`
/// is binary, which `{` opens a record and which a block, where record fields start, and
/// whether each brace was written over several lines.
///
/// Gathered by one walk over the AST; keyed by the byte offset of the token concerned.
struct LayoutHints {
    /// Offsets of binary operator tokens (spaced on both sides).
    var binaryOperators: Set<Int> = []
    /// Offset of each record's `{` -> whether the record was written over several lines.
    var records: [Int: Bool] = [:]
    /// Offsets of record keys (each starts a field).
    var recordKeys: Set<Int> = []
    /// Offset of each block's `{` -> (statement count, written over several lines).
    var blocks: [Int: (statements: Int, multiline: Bool)] = [:]

    init(_ program: Program) {
        program.statements.forEach { visit($0) }
    }

    // MARK: - Walk

    mutating func visit(_ statement: Stmt) {
        switch statement {
        case .param(let decl):
            decl.defaultValue.map { visit($0) }
        case .let(_, let value, _), .assign(_, let value, _):
            visit(value)
        case .expression(let expr):
            visit(expr)
        case .if(let condition, let then, let otherwise, _):
            visit(condition)
            visit(then)
            otherwise.map { visit($0) }
        case .for(_, let sequence, let body, _):
            visit(sequence)
            visit(body)
        case .on(let targets, let body, _, _):
            visit(targets)
            visit(body)
        case .function(let decl):
            decl.parameters.forEach { $0.defaultValue.map { visit($0) } }
            visit(decl.body)
        case .return(let value, _):
            value.map { visit($0) }
        case .include:
            break
        case .block(let block):
            visit(block)
        }
    }

    mutating func visit(_ block: Block) {
        blocks[block.span.start] = (block.statements.count, block.span.text.contains("\n"))
        block.statements.forEach { visit($0) }
    }

    mutating func visit(_ expr: Expr) {
        switch expr {
        case .integer, .bool, .none, .variable:
            break
        case .string:
            // Interpolations are copied as written, inside the string token.
            break
        case .list(let items, _):
            items.forEach { visit($0) }
        case .record(let fields, let span):
            records[span.start] = span.text.contains("\n")
            for field in fields {
                recordKeys.insert(field.keySpan.start)
                visit(field.value)
            }
        case .field(let base, _, _):
            visit(base)
        case .index(let base, let key, _):
            visit(base)
            visit(key)
        case .unary(_, let operand, _):
            visit(operand)
        case .binary(_, let left, let right, let operatorSpan, _):
            binaryOperators.insert(operatorSpan.start)
            visit(left)
            visit(right)
        case .call(let call):
            call.arguments.forEach { visit($0.value) }
            call.block.map { visit($0) }
        case .named(let host, let name, _):
            visit(host)
            visit(name)
        }
    }
}
