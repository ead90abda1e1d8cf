import Foundation
import HostIO

/// The built-in reader of `ssh_config(5)`, used when no OpenSSH client is installed (with
/// one, `ssh -G` answers: see `OpenSSHResolver`) and to list aliases. It knows `Host`
/// blocks with `*`, `?` and `!` patterns, `Include` (globs, relative to ~/.ssh), and
/// OpenSSH's rule that the first value of a keyword wins (IdentityFile and the other list
/// keywords accumulate). `Match` blocks cannot be evaluated: a host whose configuration
/// has one is an error (`HostConfig.unevaluated`), never a guess.
public struct SSHConfig: Sendable, Equatable {
    /// One `Host` block: its patterns and its settings in file order.
    struct Block: Sendable, Equatable {
        var patterns: [String]
        var settings: [(keyword: String, value: String)]

        static func == (lhs: Block, rhs: Block) -> Bool {
            lhs.patterns == rhs.patterns && lhs.settings.elementsEqual(rhs.settings) { $0 == $1 }
        }
    }

    var blocks: [Block]
    /// `Match` lines, which the built-in reader cannot evaluate ("FILE:LINE: Match ...").
    var matchLines: [String] = []

    /// What the config says for one host alias.
    public struct HostSettings: Sendable, Equatable {
        public var hostName: String?
        public var user: String?
        public var port: Int?
        public var identityFiles: [String] = []
        public var knownHostsFile: String?
    }

    public init(text: String) {
        self.init(lines: text.split(whereSeparator: \.isNewline).enumerated().map { ("line \($0 + 1)", String($1)) },
                  home: NSHomeDirectory())
    }

    /// Loads a file and the files it includes; a missing file is an empty config.
    public init(path: String, home: String = NSHomeDirectory()) {
        self = Self.load(path: path, home: home).config
    }

    /// The config of a file and its includes, and the files it was read from with their
    /// state just before each was read (the file itself first, even when missing; then
    /// every file an `Include` named that exists), for `SSHConfigStore`.
    static func load(path: String, home: String) -> (config: SSHConfig, files: [(path: String, state: FileState)]) {
        var files: [(path: String, state: FileState)] = []
        let lines = Self.lines(of: path, home: home, depth: 0, files: &files)
        return (SSHConfig(lines: lines, home: home), files)
    }

    private init(lines: [(place: String, text: String)], home: String) {
        var blocks = [Block(patterns: ["*"], settings: [])]
        var matchLines: [String] = []
        for (place, line) in lines {
            guard let (keyword, value) = Self.parseLine(line) else { continue }
            switch keyword {
            case "host":
                blocks.append(Block(patterns: value.split(whereSeparator: \.isWhitespace).map(String.init), settings: []))
            case "match":
                blocks.append(Block(patterns: [], settings: []))
                matchLines.append("\(place): Match \(value)")
            default:
                blocks[blocks.count - 1].settings.append((keyword, value))
            }
        }
        self.blocks = blocks
        self.matchLines = matchLines
    }

    /// A file's lines with `Include`d files spliced in where they are named (relative
    /// names are under ~/.ssh, globs expanded in order), each with its place for messages.
    private static func lines(of path: String, home: String, depth: Int, files: inout [(path: String, state: FileState)]) -> [(place: String, text: String)] {
        guard depth < 16 else { return [] }
        files.append((path, FileState(path: path)))
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var result: [(place: String, text: String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let (keyword, value) = parseLine(String(line)), keyword == "include" else {
                result.append(("\(path):\(index + 1)", String(line)))
                continue
            }
            for pattern in value.split(whereSeparator: \.isWhitespace).map(String.init) {
                var name = pattern.hasPrefix("~/") ? home + pattern.dropFirst() : pattern
                if !name.hasPrefix("/") { name = home + "/.ssh/" + name }
                for file in glob(name) { result += lines(of: file, home: home, depth: depth + 1, files: &files) }
            }
        }
        return result
    }

    private static func glob(_ pattern: String) -> [String] {
        var found = glob_t()
        defer { globfree(&found) }
        guard Glibc.glob(pattern, 0, nil, &found) == 0 else { return [] }
        return (0..<Int(found.gl_pathc)).compactMap { found.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// Keywords whose every value counts, in order; for the others the first one wins.
    static let listKeywords: Set<String> = [
        "identityfile", "certificatefile", "localforward", "remoteforward", "dynamicforward", "sendenv", "setenv",
    ]

    /// Every keyword the blocks that apply to `alias` set, as `ssh -G` would list them
    /// (HostName's `%h` expanded; a user or port of the target wins, as on ssh's command line).
    func hostConfig(for alias: String, user: String?, port: Int?) -> HostConfig {
        var values: [String: [String]] = [:]
        for (keyword, value) in blocks.filter({ Self.matches(alias, patterns: $0.patterns) }).flatMap(\.settings) {
            if Self.listKeywords.contains(keyword) {
                values[keyword, default: []].append(value)
            } else if values[keyword] == nil {
                values[keyword] = keyword == "userknownhostsfile" || keyword == "globalknownhostsfile"
                    ? value.split(whereSeparator: \.isWhitespace).map(String.init) : [value]
            }
        }
        values["hostname"] = values["hostname"].map { $0.map { $0.replacingAll("%h", with: alias) } }
        if let user { values["user"] = [user] }
        if let port { values["port"] = [String(port)] }
        var config = HostConfig(values: values, configured: Set(values.keys), source: "the built-in ssh config reader")
        config.unevaluated = matchLines
        return config
    }

    /// The settings that apply to `alias`, first value wins.
    public func settings(for alias: String, localUser: String, home: String) -> HostSettings {
        let config = hostConfig(for: alias, user: nil, port: nil)
        var result = HostSettings()
        result.hostName = config.first("hostname")
        result.user = config.first("user")
        result.port = config.first("port").flatMap { Int($0) }
        let hostName = result.hostName ?? alias
        let remoteUser = result.user ?? localUser
        result.identityFiles = config.all("identityfile").map {
            Self.expand($0, home: home, localUser: localUser, remoteUser: remoteUser, host: hostName)
        }
        result.knownHostsFile = config.first("userknownhostsfile").map {
            Self.expand($0, home: home, localUser: localUser, remoteUser: remoteUser, host: hostName)
        }
        return result
    }

    // MARK: - Lines and patterns

    /// `Keyword value`, `Keyword=value` or `Keyword "quoted value"`; nil for blanks and comments.
    static func parseLine(_ line: String) -> (String, String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        guard let split = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else { return nil }
        let keyword = trimmed[..<split].lowercased()
        var value = trimmed[split...].drop { $0 == " " || $0 == "\t" }
        if value.first == "=" { value = value.dropFirst().drop { $0 == " " || $0 == "\t" } }
        var text = String(value).trimmingCharacters(in: .whitespaces)
        if keyword != "host", text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast())
        }
        return (keyword, text)
    }

    /// OpenSSH's rule: a negated pattern that matches excludes the block; otherwise any
    /// positive match includes it.
    static func matches(_ host: String, patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.dropFirst()), Array(host)) { return false }
            } else if wildcard(Array(pattern), Array(host)) {
                matched = true
            }
        }
        return matched
    }

    /// `*` matches any run of characters, `?` exactly one; case-insensitive like host names.
    static func wildcard(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p].lowercased() == text[t].lowercased() {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// `~/` and the tokens OpenSSH expands in file names.
    static func expand(_ path: String, home: String, localUser: String, remoteUser: String, host: String) -> String {
        var text = path
        if text == "~" { text = home } else if text.hasPrefix("~/") { text = home + text.dropFirst() }
        return text.replacingAll("%d", with: home).replacingAll("%u", with: localUser)
            .replacingAll("%r", with: remoteUser).replacingAll("%h", with: host).replacingAll("%%", with: "%")
    }
}
