import Foundation
import Synchronization

/// What the ssh configuration says about one host, read the way `ssh` reads it: every
/// keyword (lowercase) with its values in order, and which keywords a configuration file
/// set (the others hold OpenSSH's defaults, which crucible does not need to honour).
struct HostConfig: Sendable, Equatable {
    var values: [String: [String]]
    /// Keywords set by a configuration file rather than left at OpenSSH's default.
    var configured: Set<String>
    /// How it was read, for messages: `ssh -G -F FILE web1`, or the built-in parser.
    var source: String
    /// Lines the built-in parser cannot evaluate (`Match`): an error when they exist.
    var unevaluated: [String] = []

    func first(_ keyword: String) -> String? { values[keyword]?.first }
    func all(_ keyword: String) -> [String] { values[keyword] ?? [] }
    func isSet(_ keyword: String) -> Bool { configured.contains(keyword) }

    /// `key value...` lines (what `ssh -G` prints): repeated keys accumulate.
    static func parseDump(_ text: String) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let key = parts.first, !key.isEmpty else { continue }
            values[key.lowercased(), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        return values
    }
}

/// Resolves host aliases with the OpenSSH client itself: `ssh -G` applies Include, Match,
/// canonicalisation, tokens and every default exactly as `ssh ALIAS` would, and prints the
/// result. What a configuration set is told apart from OpenSSH's defaults by comparing
/// with `ssh -G -F /dev/null` for a name no configuration can match.
enum OpenSSHResolver {
    /// `ssh -G [-F FILE] [-l USER] [-p PORT] -- ALIAS`; `configFile` nil reads the files
    /// `ssh` reads by itself (~/.ssh/config and /etc/ssh/ssh_config).
    static func resolve(program: String, alias: String, user: String?, port: Int?, configFile: String?) throws -> HostConfig {
        var arguments = [program, "-G"]
        if let configFile { arguments += ["-F", configFile] }
        if let user { arguments += ["-l", user] }
        if let port { arguments += ["-p", String(port)] }
        let command = (arguments + [alias]).dropFirst().joined(separator: " ")
        let values = try dump(arguments + ["--", alias], command: command)
        let defaults = try baseline(program: program)
        let ignoredInComparison: Set<String> = ["host", "hostname", "user", "port"]
        let configured = Set(values.keys.filter { !ignoredInComparison.contains($0) && values[$0] != defaults[$0] })
            .union(values["hostname"] != [alias] ? ["hostname"] : [])
        return HostConfig(values: values, configured: configured, source: "ssh " + command)
    }

    private static func dump(_ arguments: [String], command: String) throws -> [String: [String]] {
        let output = try ChildProcess.run(arguments)
        guard output.status == 0 else {
            let reason = output.stderr.split(whereSeparator: \.isNewline)
                .filter { !$0.hasPrefix("Pseudo-terminal will not be allocated") }.joined(separator: "; ")
            throw ConnectFailure.configuration("`ssh \(command)` failed (exit \(output.status)): \(reason)")
        }
        return HostConfig.parseDump(output.stdout)
    }

    /// Held while `ssh -G` runs: the hosts that want the same defaults wait for that answer.
    private static let baselines = Mutex<[String: [String: [String]]]>([:])

    /// OpenSSH's defaults, asked once per program.
    private static func baseline(program: String) throws -> [String: [String]] {
        try baselines.withLock { baselines in
            if let known = baselines[program] { return known }
            let values = try dump([program, "-G", "-F", "/dev/null", "--", "crucible-defaults.invalid"],
                                  command: "-G -F /dev/null crucible-defaults.invalid")
            baselines[program] = values
            return values
        }
    }
}
