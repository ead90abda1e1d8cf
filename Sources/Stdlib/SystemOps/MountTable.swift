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

    public static func parse(_ text: String) -> MountTable {
        MountTable(entries: text.split(whereSeparator: \.isNewline).compactMap { parseLine(String($0)) })
    }

    /// The last mount on `mountPoint` (a later mount hides an earlier one).
    public func entry(at mountPoint: String) -> Entry? {
        let wanted = Self.normalized(mountPoint)
        return entries.last { Self.normalized($0.mountPoint) == wanted }
    }

    static func parseLine(_ line: String) -> Entry? {
        guard let on = line.range(of: " on "),
              let type = line.range(of: " type ", range: on.upperBound..<line.endIndex) else { return nil }
        let source = String(line[..<on.lowerBound])
        let mountPoint = String(line[on.upperBound..<type.lowerBound])
        let rest = line[type.upperBound...]
        let typeName = rest.prefix { $0 != " " }
        var options: [String] = []
        if let open = rest.firstIndex(of: "("), let close = rest.lastIndex(of: ")"), open < close {
            options = rest[rest.index(after: open)..<close].split(separator: ",").map(String.init)
        }
        return Entry(source: unescaped(source), mountPoint: unescaped(mountPoint), type: String(typeName), options: options)
    }

    /// `/var/lib/nova/` and `/var/lib/nova` name the same mount point.
    static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Decodes `\040`-style octal escapes.
    static func unescaped(_ text: String) -> String {
        guard text.contains("\\") else { return text }
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
