/// An authorized_keys file, edited one key at a time.
///
/// A key is identified by its type and base64 blob, not by the whole line: the same key
/// with other options or another comment is the same key, so it is updated in place (its
/// first line rewritten, later copies removed) instead of being added twice.
public struct AuthorizedKeys: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }

    /// `type blob` of an authorized_keys line (options and comment ignored), or nil for
    /// comments, blank lines and text that holds no key.
    public static func identity(of line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard !trimmed.isEmpty, trimmed.first != "#" else { return nil }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        for (index, word) in words.enumerated().dropLast() where isKeyType(word) {
            return "\(word) \(words[index + 1])"
        }
        return nil
    }

    static func isKeyType(_ word: Substring) -> Bool {
        word.hasPrefix("ssh-") || word.hasPrefix("ecdsa-sha2-") || word.hasPrefix("sk-")
    }

    /// Makes `keyLine` present exactly once. Returns whether the file changed.
    @discardableResult
    public mutating func ensure(_ keyLine: String) -> Bool {
        let wanted = Self.identity(of: keyLine)
        let before = lines
        var found = false
        var doomed = Set<Int>()
        for index in lines.lines.indices where Self.identity(of: lines[index].text) == wanted {
            if found { doomed.insert(index); continue }
            found = true
            if lines[index].text != keyLine { lines.replace(at: index, with: keyLine) }
        }
        lines.remove(at: doomed)
        if !found { lines.append(keyLine) }
        return lines != before
    }

    /// Removes every line holding the same key. Returns whether the file changed.
    @discardableResult
    public mutating func remove(_ keyLine: String) -> Bool {
        let wanted = Self.identity(of: keyLine)
        let doomed = lines.lines.indices.filter { Self.identity(of: lines[$0].text) == wanted }
        lines.remove(at: Set(doomed))
        return !doomed.isEmpty
    }
}
