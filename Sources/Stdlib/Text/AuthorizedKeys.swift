/// An authorized_keys file, edited one key at a time.
///
/// A key is identified by its type and base64 blob, not by the whole line: the same key
/// with other options or another comment is the same key, so it is updated in place (its
/// first line rewritten, later copies removed) instead of being added twice.
///
/// Cost: each line's identity is found once, over its bytes, when the file is read.
public struct AuthorizedKeys: Sendable, Equatable {
    public private(set) var lines: TextLines
    /// One per line, in step with `lines`: `type blob`, nil for lines without a key.
    private var identities: [[UInt8]?]

    public init(_ bytes: [UInt8]) {
        let lines = TextLines(bytes)
        self.lines = lines
        identities = lines.mapLines(Self.identity)
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var bytes: [UInt8] { lines.bytes }

    public static func == (lhs: AuthorizedKeys, rhs: AuthorizedKeys) -> Bool { lhs.lines == rhs.lines }

    /// `type blob` of an authorized_keys line (options and comment ignored), or nil for
    /// comments, blank lines and text that holds no key.
    public static func identity(of line: String) -> String? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { identity($0, 0..<$0.count) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The identity over bytes: the first word that names a key type (not the last word),
    /// a space, and the word after it.
    static func identity(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> [UInt8]? {
        var words: [Range<Int>] = []
        var index = line.lowerBound
        while index < line.upperBound && Byte.isBlank(b[index]) { index += 1 }
        guard index < line.upperBound, b[index] != Byte.hash else { return nil }
        while index < line.upperBound {
            if Byte.isBlank(b[index]) { index += 1; continue }
            let start = index
            while index < line.upperBound && !Byte.isBlank(b[index]) { index += 1 }
            if let previous = words.last, isKeyType(b[previous]) {
                return Array(b[previous]) + [Byte.space] + Array(b[start..<index])
            }
            words.append(start..<index)
        }
        return nil
    }

    static func isKeyType<C: Collection>(_ word: C) -> Bool where C.Element == UInt8 {
        word.starts(with: "ssh-".utf8) || word.starts(with: "ecdsa-sha2-".utf8) || word.starts(with: "sk-".utf8)
    }

    /// Makes `keyLine` present exactly once. Returns whether the file changed.
    @discardableResult
    public mutating func ensure(_ keyLine: String) -> Bool {
        let wanted = Self.identity(of: keyLine).map { Array($0.utf8) }
        var found = false
        var changed = false
        var doomed = Set<Int>()
        for index in identities.indices where identities[index] == wanted {
            if found { doomed.insert(index); continue }
            found = true
            changed = lines.replace(at: index, with: keyLine)
        }
        remove(doomed)
        if !found {
            lines.append(keyLine)
            identities.append(wanted)
        }
        return changed || !doomed.isEmpty || !found
    }

    /// Removes every line holding the same key. Returns whether the file changed.
    @discardableResult
    public mutating func remove(_ keyLine: String) -> Bool {
        let wanted = Self.identity(of: keyLine).map { Array($0.utf8) }
        let doomed = identities.indices.filter { identities[$0] == wanted }
        remove(Set(doomed))
        return !doomed.isEmpty
    }

    private mutating func remove(_ doomed: Set<Int>) {
        guard !doomed.isEmpty else { return }
        lines.remove(at: doomed)
        identities = identities.removing(doomed)
    }
}
