import DSL
import Interpreter

/// Decides what Tab offers for the word under the cursor: meta-commands at the start of a
/// line; after `:help` op names, after `:connect` hosts, after `:load` file names; in
/// code, op names, keywords and the session's variables, and after an op name its
/// parameter names as `name:`.
struct Completer: Sendable {
    enum Result: Equatable {
        case candidates([String])
        /// Let the line editor complete file names.
        case files
    }

    let ops: [OpSpec]
    /// The session's variables and functions, read when Tab is pressed.
    let names: @Sendable () -> [String]
    let hosts: @Sendable () -> [String]

    static let keywords = Keyword.allCases.map(\.rawValue)

    func complete(word: String, before: String) -> Result {
        let line = before.drop { $0 == " " || $0 == "\t" }
        if line.isEmpty && word.hasPrefix(":") {
            return .candidates(Self.matching(word, MetaCommand.names.map { ":" + $0 }))
        }
        if line.hasPrefix(":") { return completeMetaArgument(word: word, line: String(line)) }
        var pool = ops.map(\.name) + Self.keywords + names()
        if let op = calledOp(before: before) {
            pool = op.params.map { "\($0.name):" } + pool
        }
        return .candidates(Self.matching(word, pool))
    }

    func completeMetaArgument(word: String, line: String) -> Result {
        let command = line.dropFirst().prefix { !$0.isWhitespace }
        switch command {
        case "help": return .candidates(Self.matching(word, ops.map(\.name)))
        case "connect": return .candidates(Self.matching(word, hosts()))
        case "check": return .candidates(Self.matching(word, ["on", "off"]))
        case "load": return .files
        default: return .candidates([])
        }
    }

    /// The op whose arguments the cursor is in: the callee before the last unclosed `(`,
    /// or the first word of a command-style statement (after `let NAME =`).
    func calledOp(before: String) -> OpSpec? {
        var depth = 0
        var index = before.endIndex
        while index > before.startIndex {
            index = before.index(before: index)
            switch before[index] {
            case ")": depth += 1
            case "(":
                if depth == 0 { return op(named: lastWord(before[..<index])) }
                depth -= 1
            case "\n", ";", "{", "}":
                if depth == 0 { return commandOp(before[before.index(after: index)...]) }
            default: break
            }
        }
        return commandOp(before[...])
    }

    func commandOp(_ statement: Substring) -> OpSpec? {
        var words = statement.split(whereSeparator: \.isWhitespace).map(String.init)
        if words.count >= 3, words[0] == "let", words[2] == "=" { words.removeFirst(3) }
        guard words.count >= 1 else { return nil }
        return op(named: words[0])
    }

    func lastWord(_ text: Substring) -> String {
        String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.reversed())
    }

    func op(named name: String) -> OpSpec? { ops.first { $0.name == name } }

    static func matching(_ word: String, _ pool: [String]) -> [String] {
        var seen = Set<String>()
        return pool.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted()
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
