import Interpreter

/// Reading a host's state: every op reads what it needs in ONE exec, then plans only the
/// difference. These helpers run that exec and read `key=value` answers back.
enum HostProbe {
    /// Runs the probe (read-only: the run may answer a repeated probe from its cache until
    /// a change touches what it reads); the caller decides what its exit status means.
    static func run(_ probe: Probe, on context: any HostContext) async throws -> CommandResult {
        try await context.probe(probe)
    }

    /// Runs the probe and fails the op with `what` when it exits non-zero.
    static func output(_ probe: Probe, on context: any HostContext, what: String) async throws -> String {
        let result = try await run(probe, on: context)
        guard result.succeeded else {
            let detail = result.stderrText.trimmed.isEmpty ? result.stdoutText.trimmed : result.stderrText.trimmed
            throw OpError("cannot read \(what) (exit status \(result.status))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return result.stdoutText
    }

    /// `output` cut at the first `marker`: what comes before it and what comes after it; nil
    /// without the marker. Over bytes: a probe's output (a mount table, a host's rules) can
    /// be long, and Foundation's search is slow.
    static func split(_ output: String, at marker: String) -> (before: String, after: String)? {
        let bytes = Array(output.utf8), needle = Array(marker.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) {
                return (String(decoding: bytes[..<start], as: UTF8.self), String(decoding: bytes[(start + needle.count)...], as: UTF8.self))
            }
        }
        return nil
    }

    /// The `key=value` lines of a probe's output (the first `=` splits; later lines win).
    static func fields(_ output: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...]).trimmed
        }
        return fields
    }

    /// `echo KEY=$(COMMAND 2>/dev/null)`: one answer line of a combined probe. `command` must
    /// already be quoted.
    static func field(_ key: String, _ command: String) -> String {
        "echo \(key)=" + Shell.output(of: command)
    }

    /// `echo KEY=yes` when the shell test `test` (already quoted) holds, else `KEY=no`.
    static func flag(_ key: String, test: String) -> String {
        "if \(test); then echo \(key)=yes; else echo \(key)=no; fi"
    }
}
