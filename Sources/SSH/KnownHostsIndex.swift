/// One known_hosts file's bytes split into lines once, with the lines routed by their host
/// field, so a connection looks only at the lines that can be about its host: in a file
/// with a line per host, looking every host up is O(file) for the run instead of
/// O(file) per host.
///
/// Routing only narrows which lines are parsed: the lines it picks go through
/// `KnownHostsEntry`'s full parse and OpenSSH-style match, exactly as if every line of the
/// file had been tried, so what a host is checked against cannot change.
struct KnownHostsIndex {
    private(set) var bytes: [UInt8]
    /// Each line's bytes without its newline, in file order (line numbers are index + 1).
    /// As in `split(omittingEmptySubsequences: false)`, the bytes after the last newline
    /// are a line too (empty when the file ends with one).
    private var lines: [Range<Int>] = []
    /// Lines whose host field is a plain list of names, by each name (lowercase bytes).
    private var byName: [[UInt8]: [Int]] = [:]
    /// Lines that must be tried for every host: hashed names (`|1|...`, an HMAC per host),
    /// wildcards and negations.
    private var everyHost: [Int] = []

    init(_ bytes: [UInt8]) {
        self.bytes = []
        append(bytes)
    }

    /// Adds bytes written at the end of the file (a line accept-new recorded): the last
    /// line, which they may continue, is indexed again with them.
    mutating func append(_ more: [UInt8]) {
        var start = 0
        if let last = lines.popLast() {
            start = last.lowerBound
            let number = lines.count
            if everyHost.last == number { everyHost.removeLast() }
            for name in Self.names(in: bytes[last]) ?? [] where byName[name]?.last == number {
                byName[name]!.removeLast()
            }
        }
        bytes += more
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            route(start..<newline)
            start = newline + 1
        }
        route(start..<bytes.count)
    }

    /// The entries about `name` (a known_hosts host field: `host` or `[host]:port`,
    /// lowercase), in file order; lines that cannot be parsed are left out.
    func entries(about name: String) -> [KnownHostsEntry] {
        let named = byName[KnownHostsPattern.lowercased(name.utf8)] ?? []
        var result: [KnownHostsEntry] = []
        var a = 0, b = 0
        while a < named.count || b < everyHost.count {
            let index: Int
            if b == everyHost.count || (a < named.count && named[a] < everyHost[b]) {
                index = named[a]
                a += 1
            } else {
                index = everyHost[b]
                b += 1
            }
            if let entry = KnownHostsEntry(bytes[lines[index]], line: index + 1, about: name) { result.append(entry) }
        }
        return result
    }

    private mutating func route(_ line: Range<Int>) {
        let number = lines.count
        lines.append(line)
        switch Self.names(in: bytes[line]) {
        case nil:
            everyHost.append(number)
        case let names?:
            for name in names where byName[name]?.last != number { byName[name, default: []].append(number) }
        }
    }

    /// The plain names a line's host field lists (lowercase); nil when the field is
    /// hashed or has a pattern that can match other names (`*`, `?`, `!`). A comment, an
    /// unknown marker or a line without a host field is about no host: no names.
    private static func names(in line: ArraySlice<UInt8>) -> [[UInt8]]? {
        let fields = line.split(whereSeparator: KnownHostsEntry.isBlank).prefix(2)
        guard var field = fields.first, field.first != UInt8(ascii: "#") else { return [] }
        if field.first == UInt8(ascii: "@") {
            guard [Array("@cert-authority".utf8), Array("@revoked".utf8)].contains(Array(field)), fields.count == 2 else {
                return []
            }
            field = fields[fields.startIndex + 1]
        }
        if field.first == UInt8(ascii: "|") { return nil }
        var names: [[UInt8]] = []
        for part in field.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            if part.first == UInt8(ascii: "!") || part.contains(UInt8(ascii: "*")) || part.contains(UInt8(ascii: "?")) { return nil }
            names.append(KnownHostsPattern.lowercased(part))
        }
        return names
    }
}
