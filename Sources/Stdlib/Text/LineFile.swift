import Foundation

/// A text file edited by whole lines (ensure-line): make a line present or absent, keeping
/// every other line's bytes.
///
/// `line` may hold several lines (`"a\nb"`): it is then present when those lines appear one
/// after another, and is inserted as a block.
public struct LineFile: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }

    /// Where a missing line goes and which matching line is replaced.
    public struct Placement: Sendable {
        /// Lines matching this are replaced by the line (the last such line, or the first
        /// with `firstMatch`); when none matches, the line is added as if `match` were absent.
        public var match: LinePattern?
        /// A new line goes right after the last line matching this (first with `firstMatch`).
        public var after: LinePattern?
        /// A new line goes right before the first line matching this (used when `after` is
        /// not given or matches nothing).
        public var before: LinePattern?
        public var firstMatch: Bool

        public init(match: LinePattern? = nil, after: LinePattern? = nil, before: LinePattern? = nil, firstMatch: Bool = false) {
            self.match = match
            self.after = after
            self.before = before
            self.firstMatch = firstMatch
        }
    }

    /// Makes `line` present. A line matching `match` is replaced (nothing changes when it
    /// already equals `line`); without a matching line, nothing changes when `line` is already
    /// anywhere in the file; else it is inserted after `after`, before `before`, or at the end.
    @discardableResult
    public mutating func ensurePresent(_ line: String, placement: Placement = Placement()) -> Bool {
        let block = line.components(separatedBy: "\n")
        let texts = lines.texts
        if let match = placement.match {
            let hits = texts.indices.filter { match.matches(texts[$0]) }
            if let target = placement.firstMatch ? hits.first : hits.last {
                if blockStarts(at: target, block, texts) { return false }
                lines.replace(at: target, with: block[0])
                for (offset, extra) in block.dropFirst().enumerated() { lines.insert(extra, at: target + 1 + offset) }
                return true
            }
        }
        if texts.indices.contains(where: { blockStarts(at: $0, block, texts) }) { return false }
        let position = insertionPoint(placement, texts)
        for (offset, text) in block.enumerated() { lines.insert(text, at: position + offset) }
        return true
    }

    /// Removes every line that matches `match` and every occurrence of `line` (either may
    /// be nil). Returns whether the file changed.
    @discardableResult
    public mutating func ensureAbsent(_ line: String?, match: LinePattern?) -> Bool {
        let texts = lines.texts
        var doomed = Set<Int>()
        if let match {
            doomed.formUnion(texts.indices.filter { match.matches(texts[$0]) })
        }
        if let line {
            let block = line.components(separatedBy: "\n")
            for start in texts.indices where blockStarts(at: start, block, texts) && !doomed.contains(start) {
                doomed.formUnion(start..<(start + block.count))
            }
        }
        lines.remove(at: doomed)
        return !doomed.isEmpty
    }

    private func blockStarts(at start: Int, _ block: [String], _ texts: [String]) -> Bool {
        guard start + block.count <= texts.count else { return false }
        return block.indices.allSatisfy { texts[start + $0] == block[$0] }
    }

    private func insertionPoint(_ placement: Placement, _ texts: [String]) -> Int {
        if let after = placement.after {
            let hits = texts.indices.filter { after.matches(texts[$0]) }
            if let hit = placement.firstMatch ? hits.first : hits.last { return hit + 1 }
        }
        if let before = placement.before, let hit = texts.indices.first(where: { before.matches(texts[$0]) }) {
            return hit
        }
        return texts.count
    }
}
