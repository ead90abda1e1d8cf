/// An INI file (nova.conf, idmapd.conf, smb.conf) or a section-less `KEY=value` file
/// (sysconfig/nfs, libvirtd.conf), edited one setting at a time with every other byte kept:
/// comments, blank lines, key order, spacing around `=`, CRLF line ends, a missing final newline.
///
/// Rules, chosen so the diff of an edit is as small as it can be and repeating an edit
/// changes nothing:
/// - `section: nil` means the lines before the first `[header]` (all of a section-less file).
///   Section names are compared with surrounding blanks trimmed; keys are case-sensitive and
///   may hold blanks inside (`passdb backend`), compared as written.
/// - An active `key = value` line is rewritten in place with its own spacing; only its value
///   changes. An inline comment after it stays (`listen_tcp = 1  # for migration`): a `#`
///   that follows a blank, outside quotes, starts one; a `#` inside a word (`color=#fff`) or
///   at the very start of the value (`key = #fff`) is part of the value, and `;` never starts
///   an inline comment. A line already holding the wanted value is left alone, comment and all.
/// - A value is compared without the blanks around it (a reader trims them too), so a value
///   given with leading or trailing blanks is written once and then left alone; the op refuses
///   such values anyway (quote them).
/// - A key that is absent but has a commented-out stock default in the section
///   (`#listen_tcp = 1`, `#MOUNTD_PORT=892`, `# Domain = local.domain.edu`) gets its active
///   line right AFTER that comment, with the comment's spacing. The diff is one added line,
///   the stock default stays visible next to the value that overrides it, and removing the key
///   again gives back the stock file byte for byte. (The first such comment wins.)
/// - Otherwise the key is added after the last active setting of the section (right after the
///   header when it has none; at the end of a section-less file), with the spacing of the
///   nearest setting in the file (`=` in a file without any, or ` = ` in a named section).
/// - A new line takes the indentation of the section's last setting (tab-indented smb.conf
///   sections stay tab-indented); in a named section without settings, that of the file's
///   first setting under a header; else none.
/// - A missing section is added at the end of the file, after a blank line.
/// - Duplicate sections are one section to the reader (oslo.config and Python merge them, the
///   later value winning), so a key ends up in exactly one place: the first occurrence is
///   edited and the key's other lines, in any copy of the section, are removed.
/// - Values are written exactly as given: `"none"` with its quotes stays quoted.
///
/// Cost: the file is classified once, over its bytes, when the document is made (one
/// `IniLineScan` per line); each edit then looks at the lines of its section only and
/// classifies just the lines it writes.
public struct IniDocument: Sendable, Equatable {
    public private(set) var lines: TextLines
    /// One per line, in step with `lines`.
    private var scans: [IniLineScan]
    /// The positions of the header lines, in order.
    private var headers: [Int]

    public init(_ bytes: [UInt8]) {
        let lines = TextLines(bytes)
        let scans = lines.mapLines { IniLineScan($0, $1) }
        self.lines = lines
        self.scans = scans
        headers = scans.indices.filter { scans[$0].kind == .header }
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var bytes: [UInt8] { lines.bytes }
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public static func == (lhs: IniDocument, rhs: IniDocument) -> Bool { lhs.lines == rhs.lines }

    // MARK: - Reading

    /// The values of `key` in the section, in file order (nil for a bare key).
    public func values(of key: String, in section: String?) -> [String?] {
        let found = occurrences(of: Array(key.utf8), in: regions(of: section))
        return lines.withBytes { b in
            found.map { index -> String? in
                let parts = scans[index].setting(in: b)
                guard parts.valueStart != nil else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: b[parts.value]), as: UTF8.self)
            }
        }
    }

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
        let keyBytes = Array(key.utf8)
        var sectionRegions = regions(of: section)
        var changed = false
        if sectionRegions.isEmpty {
            guard let section, !values.isEmpty else { return false }
            appendSection(section)
            changed = true
            sectionRegions = regions(of: section)
            // A name that does not read back as its header (`a]b`) is refused by the op; here
            // it must not trap either.
            guard !sectionRegions.isEmpty else { return changed }
        }
        let found = occurrences(of: keyBytes, in: sectionRegions)
        var (missing, removed) = reconcile(found, with: values)
        if missing.isEmpty && removed.isEmpty { return changed }
        let named = section != nil
        let separator = separatorStyle(near: sectionRegions[0], namedSection: named)
        let indent = indentation(near: sectionRegions[0], namedSection: named)
        var newLines: [[UInt8]] = []
        var position: Int
        if let first = removed.first {
            position = first
            if let value = missing.first {
                changed = replaceLine(at: first, with: rewritten(first, value: value, defaultSeparator: separator)) || changed
                missing.removeFirst()
                removed.removeFirst()
                position += 1
            }
        } else if let last = found.last {
            position = last + 1
        } else if let stock = commentedDefault(of: keyBytes, in: sectionRegions) {
            position = stock + 1
            let style = separatorStyle(at: stock) ?? separator
            newLines = missing.map { Self.line(indent, key, style, $0) }
            missing = []
        } else {
            position = insertionPoint(in: sectionRegions[0], namedSection: named)
        }
        newLines += missing.map { Self.line(indent, key, separator, $0) }
        for (offset, line) in newLines.enumerated() { insertLine(line, at: position + offset) }
        removeLines(Set(removed.map { $0 >= position ? $0 + newLines.count : $0 }))
        return changed || !newLines.isEmpty || !removed.isEmpty
    }

    /// Splits the key's existing lines into those that already hold a wanted value (kept,
    /// each wanted value used once) and the rest (`removed`), and lists the wanted values
    /// that have no line yet (`missing`), in the order given.
    private func reconcile(_ found: [Int], with values: [String?]) -> (missing: [String?], removed: [Int]) {
        var missing = values
        var removed: [Int] = []
        let wanted = values.map { $0.map { Array($0.utf8).trimmedBlanks } }
        var used = [Bool](repeating: false, count: values.count)
        lines.withBytes { b in
            for index in found {
                let parts = scans[index].setting(in: b)
                let match = wanted.indices.first { position in
                    guard !used[position] else { return false }
                    guard let value = wanted[position] else { return parts.valueStart == nil }
                    return parts.valueStart != nil
                        && (b[parts.value].elementsEqual(value) || b[parts.rest].elementsEqual(value))
                }
                if let match { used[match] = true } else { removed.append(index) }
            }
        }
        missing = zip(values, used).filter { !$0.1 }.map(\.0)
        return (missing, removed)
    }

    private static func line(_ indent: [UInt8], _ key: String, _ separator: String, _ value: String?) -> [UInt8] {
        indent + Array(key.utf8) + (value.map { Array((separator + $0).utf8) } ?? [])
    }

    /// The line at `index` (a setting or bare key) with a new value: its indentation, key,
    /// separator and inline comment kept. The comment is dropped when the line would not read
    /// back as the value with it (the value holds ` #` itself, or is empty).
    private func rewritten(_ index: Int, value newValue: String?, defaultSeparator: String) -> [UInt8] {
        lines.withBytes { b in
            let parts = scans[index].setting(in: b)
            let trailer = Array(b[parts.value.upperBound..<parts.line.upperBound])
            guard let newValue else { return Array(b[parts.line.lowerBound..<parts.key.upperBound]) + trailer }
            var head = Array(b[parts.line.lowerBound..<(parts.valueStart ?? parts.key.upperBound)])
            if parts.valueStart == nil { head += Array(defaultSeparator.utf8) }
            let value = Array(newValue.utf8)
            if value.first.map(Byte.isBlank) == true { head = head.trimmedTrailingBlanks }
            let withTrailer = head + value + trailer
            let reads = withTrailer.withUnsafeBufferPointer { line -> Bool in
                let scan = IniLineScan(line, 0..<line.count)
                return scan.isEntry && line[scan.setting(in: line).value].elementsEqual(value.trimmedBlanks)
            }
            return reads || trailer.allSatisfy(Byte.isBlank) ? withTrailer : head + value
        }
    }

    /// Removes every line of `key` in the section (all copies of it). Returns whether the file changed.
    @discardableResult
    public mutating func remove(_ key: String, in section: String?) -> Bool {
        let found = occurrences(of: Array(key.utf8), in: regions(of: section))
        removeLines(Set(found))
        return !found.isEmpty
    }

    /// Removes every copy of a section: its header and all lines up to the next header.
    @discardableResult
    public mutating func removeSection(_ name: String) -> Bool {
        let doomed = regions(of: name).flatMap { [$0.lowerBound - 1] + Array($0) }
        removeLines(Set(doomed))
        return !doomed.isEmpty
    }

    // MARK: - Structure

    /// The line ranges of the section's bodies (header excluded), one per copy of the
    /// section; for nil, the lines before the first header.
    private func regions(of section: String?) -> [Range<Int>] {
        guard let section else { return [0..<(headers.first ?? scans.count)] }
        let wanted = Array(section.utf8).trimmedBlanks
        return lines.withBytes { b in
            headers.indices.compactMap { offset in
                let header = headers[offset]
                guard b[scans[header].key].elementsEqual(wanted) else { return nil }
                let end = offset + 1 < headers.count ? headers[offset + 1] : scans.count
                return (header + 1)..<end
            }
        }
    }

    private func occurrences(of key: [UInt8], in regions: [Range<Int>]) -> [Int] {
        lines.withBytes { b in
            var found: [Int] = []
            for region in regions {
                for index in region where scans[index].isEntry && scans[index].key.count == key.count
                    && b[scans[index].key].elementsEqual(key) {
                    found.append(index)
                }
            }
            return found
        }
    }

    /// The first commented-out `key = value` of the section. A commented-out header
    /// (`#[Static]` in idmapd.conf) ends the search in that copy of the section: the
    /// commented keys after it belong to the section that is commented out.
    private func commentedDefault(of key: [UInt8], in regions: [Range<Int>]) -> Int? {
        lines.withBytes { b in
            for region in regions {
                for index in region {
                    let scan = scans[index]
                    if scan.kind == .commentedHeader { break }
                    if scan.kind == .commentedSetting && scan.key.count == key.count && b[scan.key].elementsEqual(key) {
                        return index
                    }
                }
            }
            return nil
        }
    }

    /// Where a new key goes in a section: after its last setting; else right after the header
    /// of a named section, or after the last non-blank line of the top of the file.
    private func insertionPoint(in region: Range<Int>, namedSection: Bool) -> Int {
        if let last = region.last(where: { scans[$0].isEntry }) { return last + 1 }
        if namedSection { return region.lowerBound }
        if let last = region.last(where: { scans[$0].kind != .blank }) { return last + 1 }
        return region.lowerBound
    }

    /// The spacing around `=` for a new key: the closest setting in the section, else any
    /// setting in the file, else any commented-out setting, else ` = ` in a named section and
    /// `=` at the top level (shell-style files break with spaces around `=`).
    private func separatorStyle(near region: Range<Int>, namedSection: Bool) -> String {
        if let index = region.reversed().first(where: { scans[$0].kind == .setting }), let style = separatorStyle(at: index) { return style }
        if let index = scans.indices.first(where: { scans[$0].kind == .setting }), let style = separatorStyle(at: index) { return style }
        if let index = scans.indices.first(where: { scans[$0].kind == .commentedSetting }), let style = separatorStyle(at: index) { return style }
        return namedSection ? " = " : "="
    }

    private func separatorStyle(at index: Int) -> String? {
        lines.withBytes { b in
            let parts = scans[index].setting(in: b)
            return parts.valueStart.flatMap { IniEntry.style(of: b[parts.key.upperBound..<$0]) }
        }
    }

    /// The indentation for a new key: that of the section's last setting; in a named section
    /// without one, that of the file's first setting under a header; else none. A byte order
    /// mark is never copied.
    private func indentation(near region: Range<Int>, namedSection: Bool) -> [UInt8] {
        var source = region.reversed().first { scans[$0].isEntry }
        if source == nil && namedSection, let firstHeader = headers.first {
            source = (firstHeader..<scans.count).first { scans[$0].isEntry }
        }
        guard let source else { return [] }
        return lines.withBytes { b in
            var start = scans[source].line.lowerBound
            if b[start..<scans[source].key.lowerBound].starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
            return Array(b[start..<scans[source].key.lowerBound])
        }
    }

    private mutating func appendSection(_ name: String) {
        if let last = scans.last, last.kind != .blank { insertLine([], at: scans.count) }
        insertLine(Array("[\(name.trimmingBlanks)]".utf8), at: scans.count)
    }

    // MARK: - Lines and their scans, kept in step

    private mutating func insertLine(_ content: [UInt8], at index: Int) {
        lines.insert(bytes: content, at: index)
        let scan = scanLine(at: index)
        scans.insert(scan, at: index)
        for offset in headers.indices.reversed() {
            guard headers[offset] >= index else { break }
            headers[offset] += 1
        }
        if scan.kind == .header {
            headers.insert(index, at: headers.firstIndex { $0 > index } ?? headers.endIndex)
        }
    }

    private mutating func replaceLine(at index: Int, with content: [UInt8]) -> Bool {
        guard lines.replace(at: index, bytes: content) else { return false }
        let wasHeader = scans[index].kind == .header
        scans[index] = scanLine(at: index)
        if wasHeader || scans[index].kind == .header { rebuildHeaders() }
        return true
    }

    private mutating func removeLines(_ doomed: Set<Int>) {
        guard !doomed.isEmpty else { return }
        lines.remove(at: doomed)
        scans = scans.removing(doomed)
        rebuildHeaders()
    }

    private func scanLine(at index: Int) -> IniLineScan { lines.mapLine(at: index) { IniLineScan($0, $1) } }

    private mutating func rebuildHeaders() {
        headers = scans.indices.filter { scans[$0].kind == .header }
    }
}

extension Array where Element == UInt8 {
    var trimmedBlanks: [UInt8] {
        var start = startIndex, end = endIndex
        while start < end && Byte.isBlank(self[start]) { start += 1 }
        while end > start && Byte.isBlank(self[end - 1]) { end -= 1 }
        return Array(self[start..<end])
    }

    var trimmedTrailingBlanks: [UInt8] {
        var end = endIndex
        while end > startIndex && Byte.isBlank(self[end - 1]) { end -= 1 }
        return Array(self[..<end])
    }
}
