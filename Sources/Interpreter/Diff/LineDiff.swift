/// One step of a line-by-line edit script: indices into the old and new line arrays.
enum LineEdit: Equatable {
    case equal(old: Int, new: Int)
    case delete(old: Int)
    case insert(new: Int)

    var isChange: Bool {
        if case .equal = self { return false }
        return true
    }
}

/// A shortest edit script between two line arrays (Myers' O(ND) greedy algorithm).
///
/// The common prefix and suffix are stripped first, so the cost is driven by the size of
/// the change, not of the file: editing one key of a 4,000-line nova.conf is a handful of
/// steps. The trace kept for backtracking is O(D²); past `maximumDistance` differing lines
/// (a wholesale rewrite) the middle is shown as one block of deletions then insertions,
/// which is still a correct diff, only not a minimal one.
enum LineDiff {
    static let maximumDistance = 2_000

    static func edits<Line: Hashable>(from old: [Line], to new: [Line]) -> [LineEdit] {
        // Prefix and suffix compared line by line before anything is hashed: only the lines
        // in between get ids (hashing every line of a 100,000-line file cost more than the rest).
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
              old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        let ids = LineIDs(old: old[prefix..<(old.count - suffix)], new: new[prefix..<(new.count - suffix)])

        var result: [LineEdit] = (0..<prefix).map { .equal(old: $0, new: $0) }
        let oldMiddle = ids.old, newMiddle = ids.new
        let middle = myers(oldMiddle, newMiddle) ?? wholesale(oldMiddle.count, newMiddle.count)
        for edit in middle {
            switch edit {
            case .equal(let o, let n): result.append(.equal(old: o + prefix, new: n + prefix))
            case .delete(let o): result.append(.delete(old: o + prefix))
            case .insert(let n): result.append(.insert(new: n + prefix))
            }
        }
        let oldTail = old.count - suffix, newTail = new.count - suffix
        for offset in 0..<suffix { result.append(.equal(old: oldTail + offset, new: newTail + offset)) }
        return result
    }

    /// Every old line deleted, then every new line inserted.
    static func wholesale(_ oldCount: Int, _ newCount: Int) -> [LineEdit] {
        (0..<oldCount).map { LineEdit.delete(old: $0) } + (0..<newCount).map { LineEdit.insert(new: $0) }
    }

    /// The forward pass records, for every distance d, the furthest x reached on each
    /// diagonal k in -d...d; backtracking from the end through those snapshots yields the
    /// script. Nil when the distance exceeds `maximumDistance`.
    static func myers(_ a: [Int], _ b: [Int]) -> [LineEdit]? {
        let n = a.count, m = b.count
        if n == 0 || m == 0 { return wholesale(n, m) }
        let limit = min(n + m, maximumDistance)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(Array(v[(offset - d)...(offset + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n, y >= m { return backtrack(trace, n: n, m: m) }
            }
        }
        return nil
    }

    private static func backtrack(_ trace: [[Int]], n: Int, m: Int) -> [LineEdit] {
        var edits: [LineEdit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let snapshot = trace[d]
            func v(_ k: Int) -> Int { snapshot[k + d] }
            let k = x - y
            let previousK = (k == -d || (k != d && v(k - 1) < v(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v(previousK)
            let previousY = d == 0 ? 0 : previousX - previousK
            while x > previousX, y > previousY {
                edits.append(.equal(old: x - 1, new: y - 1))
                x -= 1; y -= 1
            }
            if d > 0 {
                if x == previousX { edits.append(.insert(new: y - 1)) } else { edits.append(.delete(old: x - 1)) }
            }
            x = previousX; y = previousY
        }
        return edits.reversed()
    }
}

/// Lines replaced by small integers, equal lines getting equal ids, so the diff compares
/// integers instead of byte strings.
struct LineIDs {
    var old: [Int]
    var new: [Int]

    init<Lines: Collection>(old oldLines: Lines, new newLines: Lines) where Lines.Element: Hashable {
        var table: [Lines.Element: Int] = [:]
        func id(_ line: Lines.Element) -> Int {
            if let known = table[line] { return known }
            let next = table.count
            table[line] = next
            return next
        }
        old = oldLines.map(id)
        new = newLines.map(id)
    }
}
