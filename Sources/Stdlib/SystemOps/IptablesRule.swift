import Interpreter

/// One rule of an iptables chain, as `iptables-save` writes it (`-A INPUT -p tcp -m state
/// --state NEW -m tcp --dport 22 -j ACCEPT`) or as a command gives it.
///
/// The model keeps what the rule says, not how it was spelled: long and short option
/// names, the order of the address criteria, and quoting do not matter, so two spellings of
/// one rule compare equal through `canonicalArguments`.
public struct IptablesRule: Sendable, Equatable {
    /// `-p tcp`, `! -s 10.0.0.0/8`, `-i lo`: the criteria iptables itself knows.
    public struct Criterion: Sendable, Equatable {
        public var flag: String
        public var value: String
        public var negated: Bool

        public init(_ flag: String, _ value: String, negated: Bool = false) {
            self.flag = flag
            self.value = value
            self.negated = negated
        }
    }

    /// `--dport 22`, `! --dport 22`, `--state NEW`, `--to-destination 10.0.0.1`.
    public struct Option: Sendable, Equatable {
        public var name: String
        public var values: [String]
        public var negated: Bool

        public init(_ name: String, _ values: [String], negated: Bool = false) {
            self.name = name
            self.values = values
            self.negated = negated
        }

        public var value: String { values.joined(separator: " ") }
    }

    /// `-m NAME` and its options. An empty name is the match iptables loads by itself for
    /// `-p tcp --dport 22` (no `-m tcp` written).
    public struct Match: Sendable, Equatable {
        public var name: String
        public var options: [Option]

        public init(_ name: String, _ options: [Option]) {
            self.name = name
            self.options = options
        }

        public func option(_ name: String) -> Option? { options.first { $0.name == name } }
    }

    public var chain: String
    public var criteria: [Criterion]
    public var matches: [Match]
    /// `-j` target (ACCEPT, REJECT, DROP, a user chain); nil for a rule that only counts.
    public var target: String?
    public var targetOptions: [Option]

    public init(chain: String, criteria: [Criterion] = [], matches: [Match] = [], target: String?,
                targetOptions: [Option] = []) {
        self.chain = chain
        self.criteria = criteria
        self.matches = matches
        self.target = target
        self.targetOptions = targetOptions
    }

    public func criterion(_ flag: String) -> Criterion? { criteria.first { $0.flag == flag } }

    /// The protocol the rule is limited to, lowercased; nil for all protocols.
    public var protocolName: String? {
        criteria.first { $0.flag == "-p" && !$0.negated }.map { $0.value.lowercased() }
    }

    /// Options of every match, in order.
    public var matchOptions: [Option] { matches.flatMap(\.options) }

    // MARK: - Rendering

    private static let criterionOrder = ["-p", "-s", "-d", "-i", "-o", "-f"]

    /// The rule's arguments after the chain, in one fixed order: positive criteria, negated
    /// criteria, matches, then the target. Two spellings of one rule render the same.
    public var canonicalArguments: [String] {
        var words: [String] = []
        let rank = { (c: Criterion) in Self.criterionOrder.firstIndex(of: c.flag) ?? Self.criterionOrder.count }
        let ordered = criteria.enumerated().sorted {
            ($0.element.negated ? 1 : 0, rank($0.element), $0.offset) < ($1.element.negated ? 1 : 0, rank($1.element), $1.offset)
        }.map(\.element)
        for criterion in ordered {
            if criterion.negated { words.append("!") }
            words.append(criterion.flag)
            if !criterion.value.isEmpty { words.append(criterion.value) }
        }
        for match in matches {
            if !match.name.isEmpty { words += ["-m", match.name] }
            words += match.options.flatMap(Self.words(of:))
        }
        if let target {
            words += ["-j", target]
            words += targetOptions.flatMap(Self.words(of:))
        }
        return words
    }

    private static func words(of option: Option) -> [String] {
        (option.negated ? ["!"] : []) + [option.name] + option.values
    }

    /// True when both rules sit in the same chain and say the same thing.
    public func isSameRule(as other: IptablesRule) -> Bool {
        chain == other.chain && canonicalArguments == other.canonicalArguments
    }

    /// What an `iptables` command that adds, inserts or deletes this rule looks like.
    public enum Verb: Sendable, Equatable {
        case append
        case insert(position: Int)
        case delete
    }

    /// The `iptables` command line for this rule, every word quoted with `ShellQuote`.
    public func command(_ verb: Verb, table: String? = nil) -> String {
        var words = ["iptables"]
        if let table { words += ["-t", table] }
        switch verb {
        case .append: words += ["-A", chain]
        case .insert(let position): words += ["-I", chain, String(position)]
        case .delete: words += ["-D", chain]
        }
        // `!` stays bare, as iptables' own documentation writes it: after the program name
        // it is an ordinary word to sh (only a command's first word can negate).
        return (words + canonicalArguments).map { $0 == "!" ? "!" : ShellQuote.quote($0) }.joined(separator: " ")
    }
}
