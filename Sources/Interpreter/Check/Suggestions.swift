/// "did you mean ...?" hints: the closest known name by edit distance, when close enough.
public enum Suggestions {
    public static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(name, candidate)
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        let limit = max(1, min(3, name.count / 3 + 1))
        if let best, best.distance <= limit { return best.name }
        return onlyExtension(of: name, in: candidates)
    }

    /// The one candidate that is the name made longer: at its end (`distro`, `distribution`)
    /// or by a word in front (`server_service`, `nfs_server_service`).
    static func onlyExtension(of name: String, in candidates: some Sequence<String>) -> String? {
        let short = normalized(name)
        guard short.count >= 3 else { return nil }
        let found = candidates.filter { candidate in
            let long = normalized(candidate)
            return long != short && (long.hasPrefix(short) || long.hasSuffix("-" + short))
        }
        return found.count == 1 ? found[0] : nil
    }

    static func normalized(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "-").lowercased() }

    public static func hint(for name: String, in candidates: some Sequence<String>) -> String? {
        closest(to: name, in: candidates).map { "did you mean `\($0)`?" }
    }

    /// Edit distance counting a swap of two neighbours as one edit (`retrun`, `return`), with
    /// `-` and `_` treated as equal (ensure_line vs ensure-line).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(normalized(a))
        let right = Array(normalized(b))
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var beforePrevious = [Int](repeating: 0, count: right.count + 1)
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let cost = left[i - 1] == right[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, left[i - 1] == right[j - 2], left[i - 2] == right[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[right.count]
    }
}
