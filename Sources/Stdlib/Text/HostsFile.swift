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
///
/// Cost: the file is parsed once, over its bytes, into lines indexed by address and by name;
/// an `ensure` then touches only the lines that hold its address or one of its names, so N
/// entries on an N-line file cost O(N), not O(N^2). Removed lines are only marked until the
/// bytes are asked for, so line positions stay put while entries are applied.
public struct HostsFile: Sendable, Equatable {
    private var store: TextLines
    /// One per line of `store`: the parsed entry, nil for comments and blank lines.
    private var entries: [HostsLine?]
    private var doomed: [Bool]
    /// Line positions by address, and by lowercased name (may hold positions whose line no
    /// longer lists the name: checked on use).
    private var byAddress: [String: [Int]] = [:]
    private var byName: [String: [Int]] = [:]

    public init(_ bytes: [UInt8]) {
        store = TextLines(bytes)
        entries = store.mapLines { HostsLine($0, $1) }
        doomed = [Bool](repeating: false, count: store.count)
        for line in entries.indices { index(line: line) }
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    /// The file's lines, removed lines gone.
    public var lines: TextLines {
        var lines = store
        lines.remove(where: doomed)
        return lines
    }

    public var bytes: [UInt8] { lines.bytes }

    public static func == (lhs: HostsFile, rhs: HostsFile) -> Bool { lhs.bytes == rhs.bytes }

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
        // ::1 however it is spelled: colons and zeros, then the final 1.
        let utf8 = address.utf8
        guard utf8.last == UInt8(ascii: "1"), utf8.contains(UInt8(ascii: ":")) else { return false }
        return utf8.dropLast().allSatisfy { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "0") }
    }

    /// Makes `address` resolve to `names` (the names it has besides stay). Returns whether the
    /// file changed. The caller checks `refusal` first.
    @discardableResult
    public mutating func ensure(address: String, names: [String]) -> Bool {
        let wanted = Set(names.map { $0.lowercased() })
        var changed = false
        // Other addresses' lines that list one of the names (loopback lines excepted).
        var holders = Set<Int>()
        for name in wanted {
            for index in byName[name] ?? [] where !doomed[index] {
                guard let entry = entries[index], entry.address != address, !entry.isLoopback,
                      entry.lowerNames.contains(name) else { continue }
                holders.insert(index)
            }
        }
        for index in holders.sorted() {
            guard let entry = entries[index] else { continue }
            let kept = entry.names.filter { !wanted.contains($0.lowercased()) }
            if kept.isEmpty { doom(index) } else { rewrite(index, names: kept) }
            changed = true
        }
        let own = (byAddress[address] ?? []).filter { !doomed[$0] }
        var ownNames: [String] = []
        for index in own {
            for name in entries[index]?.names ?? [] where !ownNames.contains(name) { ownNames.append(name) }
        }
        guard let first = own.first else {
            appendLine(([address] + names).joined(separator: " "))
            return true
        }
        for index in own.dropFirst() {
            doom(index)
            changed = true
        }
        let present = Set(ownNames.map { $0.lowercased() })
        let merged = ownNames + names.filter { !present.contains($0.lowercased()) }
        if entries[first]?.names != merged {
            rewrite(first, names: merged)
            changed = true
        }
        return changed
    }

    /// The names listed for `address` (its first line), or nil when it has none.
    public func names(of address: String) -> [String]? {
        guard let first = (byAddress[address] ?? []).first(where: { !doomed[$0] }) else { return nil }
        return entries[first]?.names
    }

    // MARK: - Lines and their index, kept in step

    private mutating func index(line index: Int) {
        guard let entry = entries[index] else { return }
        byAddress[entry.address, default: []].append(index)
        for name in entry.lowerNames where !(byName[name]?.last == index) { byName[name, default: []].append(index) }
    }

    private mutating func doom(_ index: Int) { doomed[index] = true }

    private mutating func rewrite(_ index: Int, names: [String]) {
        guard let entry = entries[index] else { return }
        let content = store.withBytes { entry.with(names: names, in: $0) }
        store.replace(at: index, bytes: content)
        entries[index] = store.mapLine(at: index) { HostsLine($0, $1) }
        for name in entries[index]?.lowerNames ?? [] where !(byName[name]?.contains(index) ?? false) {
            byName[name, default: []].append(index)
        }
    }

    private mutating func appendLine(_ text: String) {
        store.append(text)
        let index = store.count - 1
        entries.append(store.mapLine(at: index) { HostsLine($0, $1) })
        doomed.append(false)
        self.index(line: index)
    }
}

/// One non-comment line of /etc/hosts, split over its bytes so its names can be replaced and
/// its spacing and comment kept. Ranges are offsets in the storage the line was read from.
struct HostsLine: Sendable {
    var address: String
    var names: [String]
    var lowerNames: [String]
    var isLoopback: Bool
    /// Indentation, address and the blanks after it.
    var head: Range<Int>
    /// ` # comment` with the blanks before it, or trailing blanks, or empty.
    var tail: Range<Int>

    init?(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) {
        var hash = line.lowerBound
        while hash < line.upperBound && b[hash] != Byte.hash { hash += 1 }
        var bodyEnd = hash
        while bodyEnd > line.lowerBound && Byte.isBlank(b[bodyEnd - 1]) { bodyEnd -= 1 }
        var index = line.lowerBound
        while index < bodyEnd && Byte.isBlank(b[index]) { index += 1 }
        let addressStart = index
        while index < bodyEnd && !Byte.isBlank(b[index]) { index += 1 }
        guard index > addressStart else { return nil }
        address = String(decoding: UnsafeBufferPointer(rebasing: b[addressStart..<index]), as: UTF8.self)
        while index < bodyEnd && Byte.isBlank(b[index]) { index += 1 }
        head = line.lowerBound..<index
        tail = bodyEnd..<line.upperBound
        names = []
        while index < bodyEnd {
            let start = index
            while index < bodyEnd && !Byte.isBlank(b[index]) { index += 1 }
            names.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<index]), as: UTF8.self))
            while index < bodyEnd && Byte.isBlank(b[index]) { index += 1 }
        }
        lowerNames = names.map { $0.lowercased() }
        isLoopback = HostsFile.isLoopback(address)
    }

    /// The line's bytes with other names: indentation, address, the gap after it (a space
    /// when there was none) and the comment kept.
    func with(names newNames: [String], in b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = Array(b[head])
        if out.last.map(Byte.isBlank) != true { out.append(Byte.space) }
        out += Array(newNames.joined(separator: " ").utf8)
        out += Array(b[tail])
        return out
    }
}
