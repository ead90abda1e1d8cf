/// A `# crucible: allow W-ID` comment (several ids may follow, separated by spaces or
/// commas): the warnings it names are not reported where the recipe means what it says.
///
/// At the end of a line it covers that line; on a line of its own, the statement that starts
/// on the next line with code (all of it: a whole block, a whole function). Errors cannot be
/// allowed.
public struct Allowance: Sendable, Hashable {
    public static let marker = "crucible: allow"

    public let ids: [String]
    /// The comment itself.
    public let span: Span
    /// True when the comment is alone on its line.
    public let ownLine: Bool
    /// The line it covers: its own, or (on a line of its own) the next line with code.
    public let line: Int

    /// The allowances among a file's comments.
    static func find(in comments: [Comment], of file: SourceFile) -> [Allowance] {
        comments.compactMap { comment -> Allowance? in
            guard let ids = ids(in: comment.text) else { return nil }
            let (line, column) = comment.span.startLocation
            let ownLine = file.lineText(line).prefix(column - 1).allSatisfy { $0 == " " || $0 == "\t" }
            return Allowance(ids: ids, span: comment.span, ownLine: ownLine,
                             line: ownLine ? nextLineWithCode(after: line, in: file) : line)
        }
    }

    /// The ids a comment's text allows, or nil when it is not an allowance. Words after the
    /// ids say why (`# crucible: allow W-run-always: runs only when the domain changed`).
    static func ids(in text: String) -> [String]? {
        guard text.hasPrefix(marker + " ") else { return nil }
        var ids: [String] = []
        for word in text.dropFirst(marker.count).split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
            let id = word.hasSuffix(":") ? word.dropLast() : word
            guard id.count > 2, id.dropFirst().hasPrefix("-"), id.first?.isUppercase == true else { break }
            ids.append(String(id))
        }
        return ids.isEmpty ? nil : ids
    }

    static func nextLineWithCode(after line: Int, in file: SourceFile) -> Int {
        var next = line + 1
        while next <= file.lineStarts.count {
            let text = file.lineText(next).drop { $0 == " " || $0 == "\t" }
            if !text.isEmpty && !text.hasPrefix("#") { return next }
            next += 1
        }
        return next
    }
}
