/// One `@@ -a,b +c,d @@` block of a unified diff: a run of edits with its context lines.
struct DiffHunk {
    var edits: ArraySlice<LineEdit>
    /// 0-based positions in the old and new files where the hunk starts.
    var oldStart: Int
    var newStart: Int

    /// Splits an edit script into hunks: each change with up to `context` unchanged lines
    /// on either side; changes closer than 2 × context share one hunk, as in `diff -u`.
    static func group(_ edits: [LineEdit], context: Int) -> [DiffHunk] {
        let changeIndices = edits.indices.filter { edits[$0].isChange }
        guard let firstChange = changeIndices.first else { return [] }
        var ranges: [Range<Int>] = []
        var start = max(0, firstChange - context)
        var end = min(edits.count, firstChange + 1 + context)
        for index in changeIndices.dropFirst() {
            if index - context <= end {
                end = min(edits.count, index + 1 + context)
            } else {
                ranges.append(start..<end)
                start = index - context
                end = min(edits.count, index + 1 + context)
            }
        }
        ranges.append(start..<end)
        let positions = startPositions(edits)
        return ranges.map { range in
            DiffHunk(edits: edits[range], oldStart: positions[range.lowerBound].old, newStart: positions[range.lowerBound].new)
        }
    }

    /// For each edit, how many old and new lines come before it.
    private static func startPositions(_ edits: [LineEdit]) -> [(old: Int, new: Int)] {
        var positions: [(old: Int, new: Int)] = []
        var old = 0, new = 0
        for edit in edits {
            positions.append((old, new))
            switch edit {
            case .equal: old += 1; new += 1
            case .delete: old += 1
            case .insert: new += 1
            }
        }
        return positions
    }

    func rendered(old: [DiffLine], new: [DiffLine]) -> String {
        var oldCount = 0, newCount = 0
        var body = ""
        for edit in edits {
            switch edit {
            case .equal(let o, _):
                oldCount += 1; newCount += 1
                body += Self.line(" ", old[o])
            case .delete(let o):
                oldCount += 1
                body += Self.line("-", old[o])
            case .insert(let n):
                newCount += 1
                body += Self.line("+", new[n])
            }
        }
        return "@@ -\(Self.range(oldStart, oldCount)) +\(Self.range(newStart, newCount)) @@\n" + body
    }

    /// `start,count` as diff writes it: 1-based; `,1` left out; an empty range names the
    /// line before it (`-0,0` for a file that did not exist).
    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }

    private static func line(_ marker: String, _ line: DiffLine) -> String {
        marker + line.displayText + (line.hasNewline ? "\n" : "\n\\ No newline at end of file\n")
    }
}
