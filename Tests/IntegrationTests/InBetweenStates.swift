import Foundation

/// The whole states a file passes through in an uninterrupted run, rebuilt from the run's
/// report: each op's diff applied in order (with patch(1)) to the file's bytes before the
/// run. A file written by several ops (one /etc/hosts entry per node, nova.conf's two
/// sections) may be left by a cut run at any of them, and every one of them is whole.
enum InBetweenStates {
    /// Host name to managed path (relative to /etc) to the states after each op.
    static func fromReport(_ stdout: String, before: [String: HostSnapshot]) throws -> [String: [String: [[UInt8]]]] {
        guard let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
              let hosts = json["hosts"] as? [[String: Any]] else { return [:] }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-states-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var states: [String: [String: [[UInt8]]]] = [:]
        for host in hosts {
            guard let name = host["host"] as? String, let start = before[name] else { continue }
            var current: [String: [UInt8]] = [:]
            for op in host["ops"] as? [[String: Any]] ?? [] {
                guard let diff = op["diff"] as? String, !diff.isEmpty,
                      let path = diffPath(diff), LiveMigrationTests.managedFiles.contains(path) else { continue }
                let work = scratch.appendingPathComponent("file"), patchFile = scratch.appendingPathComponent("diff")
                try Data(current[path] ?? (start.files[path] ?? nil) ?? []).write(to: work)
                try Data(diff.utf8).write(to: patchFile)
                try HostShell.run("patch -s -f \(work.path) < \(patchFile.path)")
                let bytes = [UInt8](try Data(contentsOf: work))
                current[path] = bytes
                states[name, default: [:]][path, default: []].append(bytes)
            }
        }
        return states
    }

    /// `--- /etc/hosts` → `hosts`.
    static func diffPath(_ diff: String) -> String? {
        guard let header = diff.split(separator: "\n").first(where: { $0.hasPrefix("+++ ") }) else { return nil }
        let path = header.dropFirst(4).split(separator: "\t").first.map(String.init) ?? ""
        return path.hasPrefix("/etc/") ? String(path.dropFirst(5)) : nil
    }
}
