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
        let block = Self.blockLines(line)
        if let match = placement.match {
            let target = placement.firstMatch ? firstLine(matching: match) : lastLine(matching: match)
            if let target {
                if blockStarts(at: target, block) { return false }
                lines.replace(at: target, bytes: block[0])
                for (offset, extra) in block.dropFirst().enumerated() { lines.insert(bytes: extra, at: target + 1 + offset) }
                return true
            }
        }
        if (0..<lines.count).contains(where: { blockStarts(at: $0, block) }) { return false }
        let position = insertionPoint(placement)
        for (offset, text) in block.enumerated() { lines.insert(bytes: text, at: position + offset) }
        return true
    }

    /// Removes every line that matches `match` and every occurrence of `line` (either may
    /// be nil). Returns whether the file changed.
    @discardableResult
    public mutating func ensureAbsent(_ line: String?, match: LinePattern?) -> Bool {
        var doomed = Set<Int>()
        if let match {
            doomed.formUnion((0..<lines.count).filter { match.matches(lines.text(at: $0)) })
        }
        if let line {
            let block = Self.blockLines(line)
            for start in 0..<lines.count where blockStarts(at: start, block) && !doomed.contains(start) {
                doomed.formUnion(start..<(start + block.count))
            }
        }
        lines.remove(at: doomed)
        return !doomed.isEmpty
    }

    /// The lines of a `line` argument: split at its newlines, a final newline ending the
    /// last line rather than starting an empty one (a `"""` string ends with one).
    static func blockLines(_ line: String) -> [[UInt8]] {
        var block = Array(line.utf8).split(separator: Byte.lf, omittingEmptySubsequences: false).map(Array.init)
        if block.count > 1, block.last?.isEmpty == true { block.removeLast() }
        return block
    }

    private func blockStarts(at start: Int, _ block: [[UInt8]]) -> Bool {
        guard start + block.count <= lines.count else { return false }
        return block.indices.allSatisfy { lines.content(at: start + $0).elementsEqual(block[$0]) }
    }

    private func firstLine(matching pattern: LinePattern) -> Int? {
        (0..<lines.count).first { pattern.matches(lines.text(at: $0)) }
    }

    private func lastLine(matching pattern: LinePattern) -> Int? {
        (0..<lines.count).reversed().first { pattern.matches(lines.text(at: $0)) }
    }

    private func insertionPoint(_ placement: Placement) -> Int {
        if let after = placement.after {
            let hit = placement.firstMatch ? firstLine(matching: after) : lastLine(matching: after)
            if let hit { return hit + 1 }
        }
        if let before = placement.before, let hit = firstLine(matching: before) { return hit }
        return lines.count
    }
}
