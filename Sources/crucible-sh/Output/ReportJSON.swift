import DSL
import Foundation
import Interpreter

/// The `--json` report (docs/json.md): a versioned document with every op on every host,
/// its output and timing, per-host counts, log lines, warnings, and an error object when
/// the run could not start (a recipe or usage error) or stopped outside any host.
enum ReportJSON {
    /// Bumped when a field changes meaning or goes away; new fields do not bump it.
    static let formatVersion = 1

    struct Counts: Encodable {
        var ok = 0, changed = 0, failed = 0
        /// Check mode only: ops it could not plan (`unknown` records).
        var unknown: Int?
    }

    /// `kind`: recipe, usage or runtime.
    struct ErrorObject: Encodable {
        var kind: String
        var message: String
        var diagnostics: [DiagnosticJSON.Entry]?
    }

    struct Host: Encodable {
        let report: HostReport

        enum Keys: String, CodingKey {
            case host, address, status, error, failedAt, counts, ops, logs, stats, rolledBack
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(report.host, forKey: .host)
            try container.encode(report.address, forKey: .address)
            try container.encode(report.status, forKey: .status)
            try container.encodeIfPresent(report.error, forKey: .error)
            try container.encodeIfPresent(report.failedAt, forKey: .failedAt)
            try container.encode(Counts(ok: report.okCount, changed: report.changedCount, failed: report.failedCount,
                                        unknown: report.unknownCount > 0 ? report.unknownCount : nil), forKey: .counts)
            try container.encode(report.ops, forKey: .ops)
            try container.encode(report.logs, forKey: .logs)
            try container.encode(report.stats, forKey: .stats)
            try container.encodeIfPresent(report.rolledBack, forKey: .rolledBack)
        }
    }

    struct Document: Encodable {
        var formatVersion = ReportJSON.formatVersion
        var crucibleVersion = Crucible.version
        var recipe: String?
        var checkMode: Bool?
        var succeeded: Bool
        var counts: Counts?
        var hosts: [Host]?
        var logs: [LogLine]?
        var warnings: [String]
        var error: ErrorObject?
    }

    /// The report of a run that ran; `warnings` are the checker's and the run's own.
    static func encode(_ report: RunReport, warnings: [String] = []) -> String {
        var totals = Counts()
        for host in report.hosts {
            totals.ok += host.okCount
            totals.changed += host.changedCount
            totals.failed += host.failedCount
        }
        if report.unknownCount > 0 { totals.unknown = report.unknownCount }
        let document = Document(recipe: report.recipe, checkMode: report.checkMode, succeeded: report.succeeded,
                                counts: totals, hosts: report.hosts.map(Host.init), logs: report.logs, warnings: warnings,
                                error: report.error.map { ErrorObject(kind: "runtime", message: $0) })
        return text(document)
    }

    /// A run that never started: a recipe error (with its diagnostics) or a usage error.
    static func error(kind: String, message: String, diagnostics: [Diagnostic] = []) -> String {
        let entries = diagnostics.isEmpty ? nil : DiagnosticJSON.entries(diagnostics)
        return text(Document(succeeded: false, warnings: [],
                             error: ErrorObject(kind: kind, message: message, diagnostics: entries)))
    }

    static func text(_ document: Document) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
