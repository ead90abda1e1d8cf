/// Unified diffs (`diff -u` style) of a file's old and new bytes, for check mode and reports.
///
/// Lines are compared as bytes including their terminator, so a changed line ending or a
/// final line that gained or lost its newline shows up as a change, marked the way GNU diff
/// marks it (`\ No newline at end of file`). A created file is diffed against `/dev/null`.
/// The output applies cleanly with `patch -p0`.
public enum UnifiedDiff {
    /// The diff of `old` (nil: the file does not exist yet) and `new`, with `context` lines
    /// around each change; the empty string when the bytes are equal.
    public static func render(old: [UInt8]?, new: [UInt8], path: String, context: Int = 3) -> String {
        if let old, old == new { return "" }
        let oldLines = DiffLine.split(old ?? [])
        let newLines = DiffLine.split(new)
        let edits = LineDiff.edits(from: oldLines, to: newLines)
        let hunks = DiffHunk.group(edits, context: max(0, context))
        var out = "--- \(old == nil ? "/dev/null" : path)\n+++ \(path)\n"
        for hunk in hunks {
            out += hunk.rendered(old: oldLines, new: newLines)
        }
        return out
    }
}

/// One line of a file as diffed: its bytes including the terminator, if any.
struct DiffLine: Hashable {
    var bytes: ArraySlice<UInt8>

    var hasNewline: Bool { bytes.last == UInt8(ascii: "\n") }

    /// The line as shown after the `+`/`-`/` ` marker, without its `\n`.
    var displayText: String {
        String(decoding: hasNewline ? bytes.dropLast() : bytes, as: UTF8.self)
    }

    /// Splits after every `\n`; a last line without one is kept as it is.
    static func split(_ bytes: [UInt8]) -> [DiffLine] {
        var lines: [DiffLine] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            lines.append(DiffLine(bytes: bytes[start...index]))
            start = index + 1
        }
        if start < bytes.endIndex { lines.append(DiffLine(bytes: bytes[start...])) }
        return lines
    }
}
