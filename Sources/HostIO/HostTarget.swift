import Foundation

/// Where a host block runs: `local`, or `[user@]address[:port]` (an address may be an ssh
/// config alias), optionally with a display name used in reports and the recap.
public struct HostTarget: Sendable, Hashable, CustomStringConvertible {
    public var user: String?
    public var address: String
    public var port: Int?
    public var displayName: String?

    public init(user: String? = nil, address: String, port: Int? = nil, displayName: String? = nil) {
        self.user = user
        self.address = address
        self.port = port
        self.displayName = displayName
    }

    public static let local = HostTarget(address: "local")

    public var isLocal: Bool { address == "local" && user == nil && port == nil }

    /// The name users see: the display name, else the address.
    public var name: String { displayName ?? address }

    /// `user@address:port` as given (IPv6 addresses in brackets when a port follows).
    public var description: String {
        var text = ""
        if let user { text += "\(user)@" }
        let needsBrackets = port != nil && address.contains(":")
        text += needsBrackets ? "[\(address)]" : address
        if let port { text += ":\(port)" }
        return text
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case badPort(String)
        case badCharacter(Character)
        case emptyUser

        public var description: String {
            switch self {
            case .empty: return "a host is empty; expected `[user@]address[:port]` or `local`"
            case .badPort(let port): return "`\(port)` is not a port number (1-65535)"
            case .badCharacter(let char): return "a host cannot contain `\(char)`"
            case .emptyUser: return "the user before `@` is empty"
            }
        }
    }

    /// Parses `local`, `host`, `user@host`, `host:22`, `user@[::1]:22`.
    /// Rejects anything that could be read as an option or shell syntax by ssh or a shell.
    public static func parse(_ raw: String) throws(ParseError) -> HostTarget {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .empty }
        if text == "local" { return .local }
        var rest = Substring(text)
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let candidate = String(rest[..<at])
            guard !candidate.isEmpty else { throw .emptyUser }
            user = candidate
            rest = rest[rest.index(after: at)...]
        }
        var address: Substring
        var port: Int?
        if rest.hasPrefix("[") , let close = rest.firstIndex(of: "]") {
            address = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = try parsePort(after.dropFirst()) }
            else if !after.isEmpty { throw .badCharacter(after.first!) }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            address = rest[..<colon]
            port = try parsePort(rest[rest.index(after: colon)...])
        } else {
            address = rest
        }
        guard !address.isEmpty else { throw .empty }
        for char in String(address) + (user ?? "") where !isAllowed(char) {
            throw .badCharacter(char)
        }
        if address.hasPrefix("-") { throw .badCharacter("-") }
        return HostTarget(user: user, address: String(address), port: port)
    }

    private static func parsePort(_ text: Substring) throws(ParseError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw .badPort(String(text)) }
        return port
    }

    private static func isAllowed(_ char: Character) -> Bool {
        char.isLetter || char.isNumber || "-._:%".contains(char)
    }
}

