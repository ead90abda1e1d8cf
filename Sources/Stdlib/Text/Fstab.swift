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
        let body = text.prefix { $0 != "#" }
        let fields = body.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2 else { return nil }
        source = fields[0]
        mountpoint = fields[1]
        fstype = fields.count > 2 ? fields[2] : ""
        options = fields.count > 3 ? fields[3] : "defaults"
        dump = fields.count > 4 ? fields[4] : "0"
        pass = fields.count > 5 ? fields[5] : "0"
    }

    var fields: [String] { [source, mountpoint, fstype, options, dump, pass] }

    static func escaped(_ field: String) -> String {
        field.replacingOccurrences(of: " ", with: "\\040").replacingOccurrences(of: "\t", with: "\\011")
    }
}

/// /etc/fstab edited one mount point at a time.
///
/// Rules: the first entry for the mount point is kept when its six fields equal the wanted
/// ones (however they are spaced; missing dump/pass fields count as 0) and replaced
/// otherwise; further entries for the same mount point are removed (mount would use the last
/// one, boot the first: never leave both); a missing entry is appended. A written entry is
/// aligned to the columns of the file's first entry (at least one space between fields), so
/// it lines up with the installer's lines. Comments and other entries keep their bytes.
public struct Fstab: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }

    public func entry(for mountpoint: String) -> FstabEntry? {
        let wanted = FstabEntry.escaped(mountpoint)
        return lines.lines.lazy.compactMap { FstabEntry(line: $0.text) }.first { $0.mountpoint == wanted }
    }

    /// Makes `entry` the one line for its mount point. Returns whether the file changed.
    @discardableResult
    public mutating func ensure(_ entry: FstabEntry) -> Bool {
        let before = lines
        let columns = columnStarts()
        var doomed = Set<Int>()
        var found = false
        for index in lines.lines.indices {
            guard let existing = FstabEntry(line: lines[index].text), existing.mountpoint == entry.mountpoint else { continue }
            if found {
                doomed.insert(index)
            } else {
                found = true
                if existing.fields != entry.fields { lines.replace(at: index, with: Self.format(entry, columns: columns)) }
            }
        }
        lines.remove(at: doomed)
        if !found { lines.append(Self.format(entry, columns: columns)) }
        return lines != before
    }

    /// Removes every entry for the mount point. Returns whether the file changed.
    @discardableResult
    public mutating func remove(mountpoint: String) -> Bool {
        let wanted = FstabEntry.escaped(mountpoint)
        let doomed = lines.lines.indices.filter { FstabEntry(line: lines[$0].text)?.mountpoint == wanted }
        lines.remove(at: Set(doomed))
        return !doomed.isEmpty
    }

    /// Where each field of the first entry line starts (empty when there is no entry).
    private func columnStarts() -> [Int] {
        guard let first = lines.lines.first(where: { FstabEntry(line: $0.text) != nil && !$0.text.hasPrefix("#") }) else { return [] }
        var starts: [Int] = []
        var previousBlank = true
        for (offset, char) in first.text.enumerated() {
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
