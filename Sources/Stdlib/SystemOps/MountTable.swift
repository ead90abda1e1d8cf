/// The output of `mount` with no arguments: `SRC on MOUNTPOINT type TYPE (OPTIONS)` per
/// line, on every Linux since long before RHEL 6 (util-linux and busybox alike). Spaces
/// and other odd bytes in paths appear as octal escapes (`\040`).
public struct MountTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var source: String
        public var mountPoint: String
        public var type: String
        public var options: [String]
    }

    public var entries: [Entry]

    /// Parses the whole output in one pass over its bytes (a host with many mounts, a
    /// container host, has hundreds of lines, read once per `mount`/`mount-info` call).
    public static func parse(_ text: String) -> MountTable {
        var text = text
        return text.withUTF8 { b in
            var entries: [Entry] = []
            var start = 0
            while start < b.count {
                var end = start
                while end < b.count && b[end] != 0x0A && b[end] != 0x0D { end += 1 }
                if end > start, let entry = parseLine(b, start..<end) { entries.append(entry) }
                start = end + 1
            }
            return MountTable(entries: entries)
        }
    }

    /// The last mount on `mountPoint` (a later mount hides an earlier one).
    public func entry(at mountPoint: String) -> Entry? {
        let wanted = Self.normalized(mountPoint)
        return entries.last { Self.normalized($0.mountPoint) == wanted }
    }

    static func parseLine(_ line: String) -> Entry? {
        var line = line
        return line.withUTF8 { parseLine($0, 0..<$0.count) }
    }

    /// `SRC on MOUNTPOINT type TYPE (OPTIONS)`: the first ` on `, the first ` type ` after it,
    /// the options between the first `(` and the last `)` after that.
    static func parseLine(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Entry? {
        guard let on = find(" on ", b, line), let type = find(" type ", b, (on + 4)..<line.upperBound) else { return nil }
        let rest = (type + 6)..<line.upperBound
        var typeEnd = rest.lowerBound
        while typeEnd < rest.upperBound && b[typeEnd] != UInt8(ascii: " ") { typeEnd += 1 }
        var options: [String] = []
        if let open = rest.first(where: { b[$0] == UInt8(ascii: "(") }),
           let close = rest.last(where: { b[$0] == UInt8(ascii: ")") }), open < close {
            var start = open + 1
            while start <= close {
                var end = start
                while end < close && b[end] != UInt8(ascii: ",") { end += 1 }
                if end > start { options.append(string(b, start..<end)) }
                start = end + 1
            }
        }
        return Entry(source: unescaped(string(b, line.lowerBound..<on)), mountPoint: unescaped(string(b, (on + 4)..<type)),
                     type: string(b, rest.lowerBound..<typeEnd), options: options)
    }

    private static func find(_ needle: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard range.count >= count else { return nil }
        let first = needle.utf8Start[0]
        for start in range.lowerBound...(range.upperBound - count) where b[start] == first {
            if (1..<count).allSatisfy({ b[start + $0] == needle.utf8Start[$0] }) { return start }
        }
        return nil
    }

    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    /// `/var/lib/nova/` and `/var/lib/nova` name the same mount point.
    static func normalized(_ path: String) -> String {
        guard path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") else { return path }
        var path = path
        while path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") { path.removeLast() }
        return path
    }

    /// Decodes `\040`-style octal escapes.
    static func unescaped(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count + 0,
               let code = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(code)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
