import Foundation
import Interpreter

/// The subset of `ssh_config(5)` crucible honours, so a host alias works as it does for
/// `ssh`: `Host` blocks with `*`, `?` and `!` patterns, and HostName (with `%h`), User,
/// Port, IdentityFile (cumulative, `~` and `%d`/`%u`/`%h`/`%r` expanded),
/// and UserKnownHostsFile. As in OpenSSH the first value found for a
/// keyword wins. `Match` blocks are not evaluated: their lines are ignored.
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

    /// What the config says for one host alias.
    public struct HostSettings: Sendable, Equatable {
        public var hostName: String?
        public var user: String?
        public var port: Int?
        public var identityFiles: [String] = []
        public var knownHostsFile: String?
    }

    public init(text: String) {
        var blocks = [Block(patterns: ["*"], settings: [])]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let (keyword, value) = Self.parseLine(String(line)) else { continue }
            switch keyword {
            case "host":
                blocks.append(Block(patterns: value.split(whereSeparator: \.isWhitespace).map(String.init), settings: []))
            case "match":
                blocks.append(Block(patterns: [], settings: []))
            default:
                blocks[blocks.count - 1].settings.append((keyword, value))
            }
        }
        self.blocks = blocks
    }

    /// Loads a file; a missing file is an empty config.
    public init(path: String) {
        self.init(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// The settings that apply to `alias`, first value wins.
    public func settings(for alias: String, localUser: String, home: String) -> HostSettings {
        var result = HostSettings()
        let applicable = blocks.filter { Self.matches(alias, patterns: $0.patterns) }
        for (keyword, value) in applicable.flatMap(\.settings) {
            apply(keyword, value, to: &result)
        }
        result.hostName = result.hostName?.replacingAll("%h", with: alias)
        let hostName = result.hostName ?? alias
        let remoteUser = result.user ?? localUser
        result.identityFiles = result.identityFiles.map {
            Self.expand($0, home: home, localUser: localUser, remoteUser: remoteUser, host: hostName)
        }
        result.knownHostsFile = result.knownHostsFile.map {
            Self.expand($0, home: home, localUser: localUser, remoteUser: remoteUser, host: hostName)
        }
        return result
    }

    private func apply(_ keyword: String, _ value: String, to result: inout HostSettings) {
        switch keyword {
        case "hostname" where result.hostName == nil: result.hostName = value
        case "user" where result.user == nil: result.user = value
        case "port" where result.port == nil: result.port = Int(value)
        case "identityfile": result.identityFiles.append(value)
        case "userknownhostsfile" where result.knownHostsFile == nil:
            result.knownHostsFile = value.split(whereSeparator: \.isWhitespace).first.map(String.init)
        default: break
        }
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
