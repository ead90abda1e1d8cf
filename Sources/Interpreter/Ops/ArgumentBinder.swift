import DSL
import OrderedCollections

/// Matches a call's arguments to an op's declared parameters, once for everyone (as
/// Starlark's UnpackArgs does): the checker binds argument types, the evaluator argument
/// values, tests and the REPL plain dictionaries; all get the same rules.
///
/// The rules: positional arguments fill the positional parameters in declaration order;
/// named ones go to the parameter of that name; a trailing `{ ... }` block goes to the op's
/// `blockParam`. A name given twice, an unknown name, a positional argument too many, a block
/// the op does not take, and a required parameter left out are problems, reported in the
/// order of the call; whoever binds decides how to word them.
public struct ArgumentBinding<Payload> {
    /// What each parameter was given, by parameter name, in the order of the call.
    public var given: OrderedDictionary<String, (payload: Payload, span: Span?)> = [:]
    public var problems: [ArgumentProblem] = []
}

public enum ArgumentProblem: Equatable, Sendable {
    case unknown(label: String, span: Span?)
    case givenTwice(name: String, span: Span?)
    case tooManyPositional(span: Span?)
    /// The op takes no `{ ... }` block.
    case unexpectedBlock(span: Span?)
    /// The block's parameter was also given as an argument.
    case blockGivenTwice(name: String, span: Span?)
    case missing(name: String)
}

/// One argument of a call: `label` nil for a positional one.
public struct CallArgument<Payload> {
    public var label: String?
    public var labelSpan: Span?
    public var payload: Payload
    public var span: Span?

    public init(label: String?, labelSpan: Span? = nil, payload: Payload, span: Span? = nil) {
        self.label = label
        self.labelSpan = labelSpan
        self.payload = payload
        self.span = span
    }
}

public enum ArgumentBinder {
    public static func bind<Payload>(_ op: OpSpec, _ arguments: [CallArgument<Payload>],
                                     block: (payload: Payload, span: Span?)? = nil) -> ArgumentBinding<Payload> {
        var binding = ArgumentBinding<Payload>()
        let positional = op.params.filter(\.positional)
        var next = 0
        for argument in arguments {
            if let label = argument.label {
                guard let param = op.param(named: label) else {
                    binding.problems.append(.unknown(label: label, span: argument.labelSpan ?? argument.span))
                    continue
                }
                if binding.given[param.name] != nil {
                    binding.problems.append(.givenTwice(name: param.name, span: argument.labelSpan ?? argument.span))
                }
                binding.given[param.name] = (argument.payload, argument.span)
            } else {
                guard next < positional.count else {
                    binding.problems.append(.tooManyPositional(span: argument.span))
                    continue
                }
                binding.given[positional[next].name] = (argument.payload, argument.span)
                next += 1
            }
        }
        if let block {
            if let name = op.blockParam {
                if binding.given[name] != nil { binding.problems.append(.blockGivenTwice(name: name, span: block.span)) }
                binding.given[name] = block
            } else {
                binding.problems.append(.unexpectedBlock(span: block.span))
            }
        }
        for param in op.params where param.isRequired && binding.given[param.name] == nil {
            binding.problems.append(.missing(name: param.name))
        }
        return binding
    }

    /// A problem in a sentence, for callers that have no better words (tests, the REPL).
    public static func describe(_ problem: ArgumentProblem) -> String {
        switch problem {
        case .unknown(let label, _): return "unknown parameter `\(label)`"
        case .givenTwice(let name, _): return "`\(name)` is given twice"
        case .tooManyPositional: return "too many positional arguments"
        case .unexpectedBlock: return "takes no `{ ... }` block"
        case .blockGivenTwice(let name, _): return "`\(name)` is given twice (as an argument and as the block)"
        case .missing(let name): return "missing required parameter `\(name)`"
        }
    }

    /// Required parameters left out, in declaration order.
    public static func missing(_ problems: [ArgumentProblem]) -> [String] {
        problems.compactMap { if case .missing(let name) = $0 { name } else { nil } }
    }
}
