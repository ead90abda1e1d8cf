/// A name as written, with where it was written.
public struct Identifier: Sendable, Hashable {
    public let name: String
    public let span: Span
    public init(name: String, span: Span) {
        self.name = name
        self.span = span
    }
}

/// A piece of a string literal after parsing: text, or an interpolated expression.
public enum StringPart: Sendable, Hashable {
    case text(String)
    case expression(Expr)
}

public enum UnaryOperator: String, Sendable, Hashable { case not = "not", negate = "-" }

public enum BinaryOperator: String, Sendable, Hashable {
    case and, or
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in`
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// `name: value` or a positional `value` in a call.
public struct Argument: Sendable, Hashable {
    public let label: Identifier?
    public let value: Expr
    public init(label: Identifier?, value: Expr) {
        self.label = label
        self.value = value
    }
    public var span: Span { label.map { $0.span.through(value.span) } ?? value.span }
}

/// A call of an operation, built-in or user function.
///
/// Two spellings: `edit-ini "/etc/x" section: "a" { k = v }` (command style, at the start of
/// a statement or after `let x =`) and `detect-nfs()` / `len(xs)` (parenthesized, anywhere).
public struct Call: Sendable, Hashable {
    public let callee: Identifier
    public let arguments: [Argument]
    /// The trailing `{ key = value ... }` block of a command-style call.
    public let block: Expr?
    public let span: Span
    public init(callee: Identifier, arguments: [Argument], block: Expr?, span: Span) {
        self.callee = callee
        self.arguments = arguments
        self.block = block
        self.span = span
    }
}

/// A field of a record literal: `key = value`; keys may be quoted strings.
public struct RecordField: Sendable, Hashable {
    public let key: String
    public let keySpan: Span
    public let value: Expr
    public init(key: String, keySpan: Span, value: Expr) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
    }
}

public indirect enum Expr: Sendable, Hashable {
    case integer(Int, Span)
    case bool(Bool, Span)
    case none(Span)
    case string([StringPart], Span)
    case variable(Identifier)
    case list([Expr], Span)
    case record([RecordField], Span)
    case field(Expr, Identifier, Span)
    case index(Expr, Expr, Span)
    case unary(UnaryOperator, Expr, Span)
    case binary(BinaryOperator, Expr, Expr, operatorSpan: Span, Span)
    case call(Call)
    /// `host as "name"`: gives a host a display name.
    case named(Expr, Expr, Span)

    public var span: Span {
        switch self {
        case .integer(_, let span), .bool(_, let span), .none(let span), .string(_, let span),
             .list(_, let span), .record(_, let span), .field(_, _, let span), .index(_, _, let span),
             .unary(_, _, let span), .binary(_, _, _, _, let span), .named(_, _, let span):
            return span
        case .variable(let identifier): return identifier.span
        case .call(let call): return call.span
        }
    }
}

/// A type written in a recipe: `string`, `int`, `bool`, `host`, `record`, `any`, `[T]`.
public indirect enum TypeExpr: Sendable, Hashable {
    case named(Identifier)
    case list(TypeExpr, Span)

    public var span: Span {
        switch self {
        case .named(let identifier): return identifier.span
        case .list(_, let span): return span
        }
    }

    public var description: String {
        switch self {
        case .named(let identifier): return identifier.name
        case .list(let element, _): return "[\(element.description)]"
        }
    }
}

/// `param name: type = default`, a recipe input; `doc` holds its comment.
public struct ParamDecl: Sendable, Hashable {
    public let name: Identifier
    public let type: TypeExpr?
    public let defaultValue: Expr?
    public let doc: String
    public let span: Span
    public init(name: Identifier, type: TypeExpr?, defaultValue: Expr?, doc: String, span: Span) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.span = span
    }
}

/// `fn name(a, b = 1) { ... }`.
public struct FunctionDecl: Sendable, Hashable {
    public struct Parameter: Sendable, Hashable {
        public let name: Identifier
        public let defaultValue: Expr?
        public init(name: Identifier, defaultValue: Expr?) {
            self.name = name
            self.defaultValue = defaultValue
        }
    }
    public let name: Identifier
    public let parameters: [Parameter]
    public let body: Block
    public let doc: String
    public let span: Span
    public init(name: Identifier, parameters: [Parameter], body: Block, doc: String, span: Span) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.doc = doc
        self.span = span
    }
}

public struct Block: Sendable, Hashable {
    public let statements: [Stmt]
    public let span: Span
    public init(statements: [Stmt], span: Span) {
        self.statements = statements
        self.span = span
    }
}

/// What an `on` block is for. Plain blocks change hosts; the two phases only read them.
///
/// - `preflight on T { ... }` runs before any change: its body may only read (facts, queries,
///   `probe`, `expect`, `fail`). When a check fails on any host, the run stops after the block,
///   on every host, with nothing changed anywhere.
/// - `verify on T { ... }` checks the live system after the changes: read-only too, every
///   `expect` is reported per host, and a failed one fails the run (exit 1). Skipped by `--check`.
public enum OnPhase: String, Sendable, Hashable, CaseIterable {
    case change = "on", preflight, verify
}

public indirect enum Stmt: Sendable, Hashable {
    case param(ParamDecl)
    case `let`(Identifier, Expr, Span)
    case assign(Identifier, Expr, Span)
    case expression(Expr)
    case `if`(Expr, Block, Stmt?, Span)
    case `for`(Identifier, Expr, Block, Span)
    case on(Expr, Block, OnPhase, Span)
    case function(FunctionDecl)
    case `return`(Expr?, Span)
    /// `include "file.crucible"`; the loader fills in the included program.
    case include(String, Span, [Stmt])
    case block(Block)

    public var span: Span {
        switch self {
        case .param(let decl): return decl.span
        case .let(_, _, let span), .assign(_, _, let span), .if(_, _, _, let span), .for(_, _, _, let span),
             .on(_, _, _, let span), .return(_, let span), .include(_, let span, _):
            return span
        case .expression(let expr): return expr.span
        case .function(let decl): return decl.span
        case .block(let block): return block.span
        }
    }
}

/// A parsed recipe.
public struct Program: Sendable, Hashable {
    public let statements: [Stmt]
    public let file: SourceFile
    /// Every name written in a statement that did not parse, in this file and the files it
    /// includes: such a statement may have defined (or used) any of them, so the checker
    /// does not call them unknown (or unused).
    public var unparsedNames: Set<String>
    /// The `include` statements whose file could not be read: any name after one of them
    /// may come from that file.
    public var unresolvedIncludes: Set<Span>
    /// The `# crucible: allow W-...` comments of this file and the files it includes.
    public var allowances: [Allowance]

    public init(statements: [Stmt], file: SourceFile, unparsedNames: Set<String> = [],
                unresolvedIncludes: Set<Span> = [], allowances: [Allowance] = []) {
        self.statements = statements
        self.file = file
        self.unparsedNames = unparsedNames
        self.unresolvedIncludes = unresolvedIncludes
        self.allowances = allowances
    }
}
