/// An INI file (nova.conf, idmapd.conf) or a section-less `KEY=value` file (sysconfig/nfs,
/// libvirtd.conf), edited one setting at a time with every other byte kept: comments, blank
/// lines, key order, spacing around `=`, CRLF line ends, a missing final newline.
///
/// Rules, chosen so the diff of an edit is as small as it can be and repeating an edit
/// changes nothing:
/// - `section: nil` means the lines before the first `[header]` (all of a section-less file).
///   Section names are compared with surrounding blanks trimmed; keys are case-sensitive.
/// - An active `key = value` line is rewritten in place with its own spacing; only its value
///   changes.
/// - A key that is absent but has a commented-out stock default in the section
///   (`#listen_tcp = 1`, `#MOUNTD_PORT=892`, `# Domain = local.domain.edu`) gets its active
///   line right AFTER that comment, with the comment's spacing. The diff is one added line,
///   the stock default stays visible next to the value that overrides it, and removing the key
///   again gives back the stock file byte for byte. (The first such comment wins.)
/// - Otherwise the key is added after the last active setting of the section (right after the
///   header when it has none; at the end of a section-less file), with the spacing of the
///   nearest setting in the file (`=` in a file without any, or ` = ` in a named section).
/// - A missing section is added at the end of the file, after a blank line.
/// - Duplicate sections are one section to the reader (oslo.config and Python merge them, the
///   later value winning), so a key ends up in exactly one place: the first occurrence is
///   edited and the key's other lines, in any copy of the section, are removed.
/// - Values are written exactly as given: `"none"` with its quotes stays quoted.
public struct IniDocument: Sendable, Equatable {
    public private(set) var lines: TextLines

    public init(_ bytes: [UInt8]) { lines = TextLines(bytes) }
    public init(_ text: String) { lines = TextLines(text) }

    public var bytes: [UInt8] { lines.bytes }
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private var parsed: [IniLine] { lines.lines.map { IniLine.parse($0.text) } }

    // MARK: - Reading

    /// The values of `key` in the section, in file order (nil for a bare key).
    public func values(of key: String, in section: String?) -> [String?] {
        let kinds = parsed
        return occurrences(of: key, in: regions(of: section, kinds), kinds).map { kinds[$0].entry?.value ?? nil }
    }

    public func hasSection(_ name: String) -> Bool { !regions(of: name, parsed).isEmpty }

    // MARK: - Editing

    /// Sets `key` to one value. Returns whether the file changed.
    @discardableResult
    public mutating func set(_ key: String, to value: String, in section: String?) -> Bool {
        set(key, to: [value], in: section)
    }

    /// Makes the section's lines for `key` hold exactly `values` (a multi-valued key gets one
    /// line per value; the order of lines that are already there is kept). Lines with the
    /// wanted values stay, the others are removed, and a missing value takes the place of the
    /// first removed line, or goes where a new key goes.
    @discardableResult
    public mutating func set(_ key: String, to values: [String], in section: String?) -> Bool {
        set(key, toLines: values.map(Optional.some), in: section)
    }

    /// Makes `key` a bare key (`skip-name-resolve`, no `=`): MySQL-style flags.
    @discardableResult
    public mutating func setBare(_ key: String, in section: String?) -> Bool {
        set(key, toLines: [nil], in: section)
    }

    /// The general form: each element is one line's value, nil for a bare key.
    private mutating func set(_ key: String, toLines values: [String?], in section: String?) -> Bool {
        var kinds = parsed
        var sectionRegions = regions(of: section, kinds)
        if sectionRegions.isEmpty {
            guard let section, !values.isEmpty else { return false }
            appendSection(section, kinds)
            kinds = parsed
            sectionRegions = regions(of: section, kinds)
            // A name that does not read back as its header (`a]b`) was refused by the op;
            // here it must not trap either.
            guard !sectionRegions.isEmpty else { return false }
        }
        let found = occurrences(of: key, in: sectionRegions, kinds)
        var (missing, removed) = Self.reconcile(found, with: values, kinds)
        if missing.isEmpty && removed.isEmpty { return false }
        let separator = separatorStyle(near: sectionRegions[0], kinds, namedSection: section != nil)
        var newLines: [String] = []
        var position: Int
        if let first = removed.first, let entry = kinds[first].entry {
            position = first
            if let value = missing.first {
                lines.replace(at: first, with: entry.rewritten(value: value, defaultSeparator: separator))
                missing.removeFirst()
                removed.removeFirst()
                position += 1
            }
        } else if let last = found.last {
            position = last + 1
        } else if let stock = commentedDefault(of: key, in: sectionRegions, kinds) {
            position = stock.index + 1
            newLines = missing.map { Self.line(key, stock.entry.separatorStyle ?? separator, $0) }
            missing = []
        } else {
            position = insertionPoint(in: sectionRegions[0], kinds, namedSection: section != nil)
        }
        newLines += missing.map { Self.line(key, separator, $0) }
        for (offset, line) in newLines.enumerated() { lines.insert(line, at: position + offset) }
        lines.remove(at: Set(removed.map { $0 >= position ? $0 + newLines.count : $0 }))
        return true
    }

    /// Splits the key's existing lines into those that already hold a wanted value (kept,
    /// each wanted value used once) and the rest (`removed`), and lists the wanted values
    /// that have no line yet (`missing`), in the order given.
    private static func reconcile(_ found: [Int], with values: [String?], _ kinds: [IniLine]) -> (missing: [String?], removed: [Int]) {
        var missing = values
        var removed: [Int] = []
        for index in found {
            if let entry = kinds[index].entry, let wanted = missing.firstIndex(of: entry.value) {
                missing.remove(at: wanted)
            } else {
                removed.append(index)
            }
        }
        return (missing, removed)
    }

    private static func line(_ key: String, _ separator: String, _ value: String?) -> String {
        value.map { key + separator + $0 } ?? key
    }

    /// Removes every line of `key` in the section (all copies of it). Returns whether the file changed.
    @discardableResult
    public mutating func remove(_ key: String, in section: String?) -> Bool {
        let kinds = parsed
        let found = occurrences(of: key, in: regions(of: section, kinds), kinds)
        lines.remove(at: Set(found))
        return !found.isEmpty
    }

    /// Removes every copy of a section: its header and all lines up to the next header.
    @discardableResult
    public mutating func removeSection(_ name: String) -> Bool {
        let kinds = parsed
        let doomed = regions(of: name, kinds).flatMap { [$0.lowerBound - 1] + Array($0) }
        lines.remove(at: Set(doomed))
        return !doomed.isEmpty
    }

    // MARK: - Structure

    /// The line ranges of the section's bodies (header excluded), one per copy of the
    /// section; for nil, the lines before the first header.
    private func regions(of section: String?, _ kinds: [IniLine]) -> [Range<Int>] {
        let headers = kinds.indices.filter { kinds[$0].headerName != nil }
        guard let section else { return [0..<(headers.first ?? kinds.count)] }
        let wanted = section.trimmingBlanks
        return headers.enumerated().compactMap { offset, header in
            guard kinds[header].headerName == wanted else { return nil }
            let end = offset + 1 < headers.count ? headers[offset + 1] : kinds.count
            return (header + 1)..<end
        }
    }

    private func occurrences(of key: String, in regions: [Range<Int>], _ kinds: [IniLine]) -> [Int] {
        regions.flatMap { $0 }.filter { kinds[$0].entry?.key == key }
    }

    /// The first commented-out `key = value` of the section. A commented-out header
    /// (`#[Static]` in idmapd.conf) ends the search in that copy of the section: the
    /// commented keys after it belong to the section that is commented out.
    private func commentedDefault(of key: String, in regions: [Range<Int>], _ kinds: [IniLine]) -> (index: Int, entry: IniEntry)? {
        for region in regions {
            for index in region {
                guard case .comment(let entry) = kinds[index] else { continue }
                if let entry, entry.key == key { return (index, entry) }
                if entry == nil && IniLine.isCommentedHeader(lines[index].text) { break }
            }
        }
        return nil
    }

    /// Where a new key goes in a section: after its last setting; else right after the header
    /// of a named section, or after the last non-blank line of the top of the file.
    private func insertionPoint(in region: Range<Int>, _ kinds: [IniLine], namedSection: Bool) -> Int {
        if let last = region.last(where: { kinds[$0].entry != nil }) { return last + 1 }
        if namedSection { return region.lowerBound }
        if let last = region.last(where: { kinds[$0] != .blank }) { return last + 1 }
        return region.lowerBound
    }

    /// The spacing around `=` for a new key: the closest setting in the section, else any
    /// setting in the file, else any commented-out setting, else ` = ` in a named section and
    /// `=` at the top level (shell-style files break with spaces around `=`).
    private func separatorStyle(near region: Range<Int>, _ kinds: [IniLine], namedSection: Bool) -> String {
        if let style = region.reversed().lazy.compactMap({ kinds[$0].entry?.separatorStyle }).first { return style }
        if let style = kinds.lazy.compactMap({ $0.entry?.separatorStyle }).first { return style }
        if let style = kinds.lazy.compactMap({ $0.commentedEntry?.separatorStyle }).first { return style }
        return namedSection ? " = " : "="
    }

    private mutating func appendSection(_ name: String, _ kinds: [IniLine]) {
        if let last = kinds.last, last != .blank { lines.append("") }
        lines.append("[\(name.trimmingBlanks)]")
    }
}

extension IniLine {
    var entry: IniEntry? { if case .entry(let entry) = self { return entry } else { return nil } }
    var commentedEntry: IniEntry? { if case .comment(let entry) = self { return entry } else { return nil } }
    var headerName: String? { if case .header(let name) = self { return name } else { return nil } }
}
