import Interpreter

/// Text from hosts made safe to print on a terminal. File contents, diffs, command output
/// and error messages come from machines crucible does not trust: printed raw, an escape
/// sequence in them could clear the screen, move the cursor over a warning, retitle the
/// window or write the operator's clipboard (OSC 52), and a bare CR could overwrite a line
/// with another. Every such character is shown as a visible escape instead (`\x1b`, `\r`,
/// `\x9b`, `\u{202e}`); tabs, newlines and CRLF line ends stay. Every piece of host text
/// goes through `visible` before crucible adds its own colours; `--json` output is not
/// escaped here (JSON escapes control characters itself, so it stays exact).
enum TerminalText {
    static func visible(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" {
                out.append(scalar)
            } else if needsEscape(scalar) {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 controls but tab and newline, DEL, C1 controls (an 8-bit CSI is U+009B), and the
    /// bidirectional overrides and isolates that reorder what a line shows.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": return "\\r"
        case _ where scalar.value > 0xFF: return "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count == 1 ? "0" : "") + hex
        }
    }
}

extension OpRecord {
    /// The record with every text that may come from the host made `visible`.
    var forTerminal: OpRecord {
        var record = self
        record.diff = TerminalText.visible(diff)
        record.commands = commands.map(TerminalText.visible)
        record.reason = reason.map(TerminalText.visible)
        record.error = error.map(TerminalText.visible)
        record.output = output.map { output in
            var output = output
            output.command = TerminalText.visible(output.command)
            output.stdout = TerminalText.visible(output.stdout)
            output.stderr = TerminalText.visible(output.stderr)
            return output
        }
        return record
    }
}

extension HostReport {
    /// The report's error and rollback lines made `visible`.
    var forTerminal: HostReport {
        var report = self
        report.error = error.map(TerminalText.visible)
        report.rolledBack = rolledBack?.map(TerminalText.visible)
        return report
    }
}
