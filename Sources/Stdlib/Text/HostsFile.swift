/// /etc/hosts edited one address at a time: `address name...`, one line per address.
///
/// Rules:
/// - Names are added to the address's first line, after the names it has (its other aliases
///   stay); the line keeps the whitespace after the address and a trailing `# comment`.
///   Later lines for the same address are folded into it, so an address is listed once.
/// - A name being given to this address is taken off another address's line (matched
///   case-insensitively, as resolvers do), and a line left without names is removed: a name
///   listed under two addresses resolves to whichever comes first.
/// - Loopback lines (127.0.0.0/8, ::1) are never rewritten: `localhost` lives there, and an
///   installer's `127.0.0.1 ... myhost` is the operator's to fix (`Loopback.isLoopback`).
///   `ensureRefusals` says what the op must refuse instead: a loopback address, or a
///   `localhost*` name for another address.
/// - A new address is appended as `address name...` with single spaces.
/// - Comments, blank lines and every other line keep their bytes.
public struct HostsFile: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }

    /// Why `address` cannot be given `names` at all (nil: it can).
    public static func refusal(address: String, names: [String]) -> String? {
        if isLoopback(address) {
            return "\(address) is a loopback address: other hosts cannot reach a node there; give the node's own address"
        }
        if let name = names.first(where: { $0.lowercased().hasPrefix("localhost") }) {
            return "`\(name)` belongs on the loopback line; it is never moved to \(address)"
        }
        return nil
    }

    /// 127.0.0.0/8 and ::1 (written in full or short).
    public static func isLoopback(_ address: String) -> Bool {
        if address.hasPrefix("127.") { return true }
        let digits = address.lowercased().filter { $0 != ":" && $0 != "0" }
        return address.contains(":") && digits == "1" && address.hasSuffix("1")
    }

    /// Makes `address` resolve to `names` (the names it has besides stay). Returns whether the
    /// file changed. The caller checks `refusal` first.
    @discardableResult
    public mutating func ensure(address: String, names: [String]) -> Bool {
        let before = lines
        let wanted = Set(names.map { $0.lowercased() })
        var doomed = Set<Int>()
        var ownLine: Int?
        var ownNames: [String] = []
        for index in lines.lines.indices {
            guard let entry = HostsLine(lines[index].text) else { continue }
            if entry.address == address {
                if ownLine == nil { ownLine = index } else { doomed.insert(index) }
                for name in entry.names where !ownNames.contains(name) { ownNames.append(name) }
            } else if !Self.isLoopback(entry.address), entry.names.contains(where: { wanted.contains($0.lowercased()) }) {
                let kept = entry.names.filter { !wanted.contains($0.lowercased()) }
                if kept.isEmpty { doomed.insert(index) } else { lines.replace(at: index, with: entry.with(names: kept)) }
            }
        }
        let present = Set(ownNames.map { $0.lowercased() })
        let merged = ownNames + names.filter { !present.contains($0.lowercased()) }
        if let ownLine, let entry = HostsLine(lines[ownLine].text), entry.names != merged {
            lines.replace(at: ownLine, with: entry.with(names: merged))
        }
        lines.remove(at: doomed)
        if ownLine == nil { lines.append(([address] + names).joined(separator: " ")) }
        return lines != before
    }

    /// The names listed for `address` (its first line), or nil when it has none.
    public func names(of address: String) -> [String]? {
        lines.lines.lazy.compactMap { HostsLine($0.text) }.first { $0.address == address }?.names
    }
}

/// One non-comment line of /etc/hosts, split so its names can be replaced and its spacing
/// and comment kept.
struct HostsLine {
    var indent: Substring
    var address: String
    var gap: Substring
    var names: [String]
    /// ` # comment` with the blanks before it, or empty.
    var comment: Substring

    init?(_ text: String) {
        let hash = text.firstIndex(of: "#") ?? text.endIndex
        let body = text[..<hash].trimmingTrailingBlanks
        comment = text[body.endIndex...]
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        indent = body.prefix(while: isBlank)
        let rest = body.dropFirst(indent.count)
        let addressPart = rest.prefix { !isBlank($0) }
        guard !addressPart.isEmpty else { return nil }
        address = String(addressPart)
        let afterAddress = rest.dropFirst(addressPart.count)
        gap = afterAddress.prefix(while: isBlank)
        names = afterAddress.split(whereSeparator: isBlank).map(String.init)
    }

    func with(names newNames: [String]) -> String {
        let gapText = gap.isEmpty ? " " : String(gap)
        return String(indent) + address + gapText + newNames.joined(separator: " ") + comment
    }
}
