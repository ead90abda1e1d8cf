/// /etc/hosts edited one address at a time: `address name...`, one line per address.
///
/// Rules:
/// - The address's first line is rewritten in place when its names differ (keeping the
///   whitespace after the address and a trailing `# comment`); later lines for the same
///   address are removed, so an address is never listed twice.
/// - A name being given to this address is taken off any other address's line (matched
///   case-insensitively, as resolvers do), and a line left without names is removed. A name
///   listed under two addresses resolves to whichever comes first, which for live migration
///   is often a `127.0.0.1 ... myhost` line left by an installer: exactly the line that must
///   stop answering for the host's name.
/// - A new address is appended as `address name...` with single spaces.
/// - Comments, blank lines and every other line keep their bytes.
public struct HostsFile: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }

    /// Makes `address` carry exactly `names`. Returns whether the file changed.
    @discardableResult
    public mutating func ensure(address: String, names: [String]) -> Bool {
        let before = lines
        let wanted = Set(names.map { $0.lowercased() })
        var doomed = Set<Int>()
        var ownLine: Int?
        for index in lines.lines.indices {
            guard let entry = HostsLine(lines[index].text) else { continue }
            if entry.address == address {
                if ownLine == nil {
                    ownLine = index
                    if entry.names != names { lines.replace(at: index, with: entry.with(names: names)) }
                } else {
                    doomed.insert(index)
                }
            } else if entry.names.contains(where: { wanted.contains($0.lowercased()) }) {
                let kept = entry.names.filter { !wanted.contains($0.lowercased()) }
                if kept.isEmpty { doomed.insert(index) } else { lines.replace(at: index, with: entry.with(names: kept)) }
            }
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
