/// Each command run over SSH first prints its shell's pid on stderr, in a line of its own
/// that starts with a marker, so that a command under way can be stopped (`CommandStop`
/// finds everything it started from that pid). The line is taken out of the stderr the
/// caller sees.
enum CommandPid {
    /// `command`, after a line that prints the marker and the pid. A line of its own: the
    /// shell runs it before it parses the command, whatever the command holds.
    static func announcing(_ command: String, marker: String) -> String {
        "printf '%s %s\\n' \(marker) \"$$\" >&2\n" + command
    }

    /// The pid, once its line has come whole.
    static func pid(in stderr: [UInt8], marker: String) -> Int32? {
        guard let line = markerLine(in: stderr, marker: marker) else { return nil }
        let text = String(decoding: stderr[line], as: UTF8.self)
        return Int32(text.dropFirst(marker.utf8.count + 1).prefix { $0 != "\n" })
    }

    /// stderr without the marker line.
    static func removing(from stderr: [UInt8], marker: String) -> [UInt8] {
        guard let line = markerLine(in: stderr, marker: marker) else { return stderr }
        var rest = stderr
        rest.removeSubrange(line)
        return rest
    }

    /// The range of the first whole line (newline included) that starts with the marker and a
    /// blank. A login shell's startup files may print before it.
    private static func markerLine(in stderr: [UInt8], marker: String) -> Range<Int>? {
        let prefix = Array((marker + " ").utf8)
        var start = 0
        while start < stderr.count {
            let end = stderr[start...].firstIndex(of: UInt8(ascii: "\n"))
            if stderr[start...].starts(with: prefix) {
                guard let end else { return nil }
                return start..<(end + 1)
            }
            guard let end else { return nil }
            start = end + 1
        }
        return nil
    }
}
