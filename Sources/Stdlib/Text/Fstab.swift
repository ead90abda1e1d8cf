/// One /etc/fstab entry. Fields are stored as written in the file: a blank inside a path
/// is `\040`, as fstab(5) wants (`escaped` does that).
public struct FstabEntry: Sendable, Equatable {
    public var source: String
    public var mountpoint: String
    public var fstype: String
    public var options: String
    public var dump: String
    public var pass: String

    public init(source: String, mountpoint: String, fstype: String, options: String = "defaults", dump: Int = 0, pass: Int = 0) {
        self.source = Self.escaped(source)
        self.mountpoint = Self.escaped(mountpoint)
        self.fstype = Self.escaped(fstype)
        self.options = Self.escaped(options.isEmpty ? "defaults" : options)
        self.dump = String(dump)
        self.pass = String(pass)
    }

    init?(line text: String) {
        let bytes = Array(text.utf8)
        guard let entry = bytes.withUnsafeBufferPointer({ Self(bytes: $0, 0..<$0.count) }) else { return nil }
        self = entry
    }

    /// The entry on one line of bytes (text after a `#` ignored); nil for comments, blank
    /// lines and lines with fewer than two fields.
    init?(bytes b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) {
        var fields: [String] = []
        var index = line.lowerBound
        while index < line.upperBound && b[index] != Byte.hash {
            if Byte.isBlank(b[index]) { index += 1; continue }
            let start = index
            while index < line.upperBound && !Byte.isBlank(b[index]) && b[index] != Byte.hash { index += 1 }
            fields.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<index]), as: UTF8.self))
        }
        guard fields.count >= 2 else { return nil }
        source = fields[0]
        mountpoint = fields[1]
        fstype = fields.count > 2 ? fields[2] : ""
        options = fields.count > 3 ? fields[3] : "defaults"
        dump = fields.count > 4 ? fields[4] : "0"
        pass = fields.count > 5 ? fields[5] : "0"
    }

    var fields: [String] { [source, mountpoint, fstype, options, dump, pass] }

    /// Whether the entry has no mount point of its own: a swap area (`swap`, or `none` as
    /// older installers wrote). Such entries are told apart by their source.
    public var isSwap: Bool { mountpoint == "swap" || mountpoint == "none" }

    /// Whether `other` is the entry for the same thing: the same mount point, or for swap
    /// areas the same source.
    public func isSameEntry(as other: FstabEntry) -> Bool {
        if isSwap || other.isSwap { return isSwap && other.isSwap && source == other.source }
        return mountpoint == other.mountpoint
    }

    static func escaped(_ field: String) -> String {
        field.replacingOccurrences(of: " ", with: "\\040").replacingOccurrences(of: "\t", with: "\\011")
    }
}

/// /etc/fstab edited one entry at a time.
///
/// Rules: an entry is found by its mount point, or, for swap areas (mount point `swap` or
/// `none`: several can coexist), by its source. The first entry found is kept when its six
/// fields equal the wanted ones (however they are spaced; missing dump/pass fields count as 0)
/// and replaced otherwise; further entries for the same thing are removed (mount would use
/// the last one, boot the first: never leave both); a missing entry is appended. A written
/// entry is aligned to the columns of the file's first entry (at least one space between
/// fields), so it lines up with the installer's lines. Comments and other entries keep their
/// bytes.
///
/// Cost: the file is parsed once, over its bytes, when it is read.
public struct Fstab: Sendable, Equatable {
    public private(set) var lines: TextLines
    /// One per line, in step with `lines`: the entry, nil for comments and blank lines.
    private var entries: [FstabEntry?]

    public init(_ bytes: [UInt8]) {
        let lines = TextLines(bytes)
        self.lines = lines
        entries = lines.mapLines { FstabEntry(bytes: $0, $1) }
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var bytes: [UInt8] { lines.bytes }

    public static func == (lhs: Fstab, rhs: Fstab) -> Bool { lhs.lines == rhs.lines }

    public func entry(for mountpoint: String) -> FstabEntry? {
        let wanted = FstabEntry.escaped(mountpoint)
        return entries.lazy.compactMap { $0 }.first { $0.mountpoint == wanted }
    }

    /// Makes `entry` the one line for its mount point (for a swap area: its source). Returns
    /// whether the file changed.
    @discardableResult
    public mutating func ensure(_ entry: FstabEntry) -> Bool {
        var doomed = Set<Int>()
        var found = false
        var changed = false
        for index in entries.indices {
            guard let existing = entries[index], existing.isSameEntry(as: entry) else { continue }
            if found {
                doomed.insert(index)
            } else {
                found = true
                if existing.fields != entry.fields {
                    changed = lines.replace(at: index, with: Self.format(entry, columns: columnStarts())) || changed
                    entries[index] = entry
                }
            }
        }
        remove(doomed)
        if !found {
            lines.append(Self.format(entry, columns: columnStarts()))
            entries.append(entry)
        }
        return changed || !doomed.isEmpty || !found
    }

    /// Removes every entry for the same thing as `entry` (its mount point; for a swap area,
    /// its source). Returns whether the file changed.
    @discardableResult
    public mutating func remove(_ entry: FstabEntry) -> Bool {
        let doomed = entries.indices.filter { entries[$0]?.isSameEntry(as: entry) == true }
        remove(Set(doomed))
        return !doomed.isEmpty
    }

    /// Removes every entry for the mount point. Returns whether the file changed.
    @discardableResult
    public mutating func remove(mountpoint: String) -> Bool {
        let wanted = FstabEntry.escaped(mountpoint)
        let doomed = entries.indices.filter { entries[$0]?.mountpoint == wanted }
        remove(Set(doomed))
        return !doomed.isEmpty
    }

    private mutating func remove(_ doomed: Set<Int>) {
        guard !doomed.isEmpty else { return }
        lines.remove(at: doomed)
        entries = entries.removing(doomed)
    }

    /// Where each field of the first entry line starts (empty when there is no entry).
    private func columnStarts() -> [Int] {
        guard let first = entries.firstIndex(where: { $0 != nil }) else { return [] }
        var starts: [Int] = []
        var previousBlank = true
        for (offset, char) in lines.text(at: first).enumerated() {
            let blank = char == " " || char == "\t"
            if previousBlank && !blank { starts.append(offset) }
            previousBlank = blank
        }
        return starts
    }

    static func format(_ entry: FstabEntry, columns: [Int]) -> String {
        var line = ""
        for (index, field) in entry.fields.enumerated() {
            if index > 0 {
                let target = index < columns.count ? columns[index] : 0
                line += String(repeating: " ", count: max(1, target - line.count))
            }
            line += field
        }
        return line
    }
}
