import DSL
import Foundation
import Interpreter
import Stdlib
import XCTest

/// Runs every recipe under Tests/Corpus. Each case states what it expects in comments:
///
///     # expect-error: 4:3: E-unknown-op: unknown operation or function `ensure-lin`
///                                          (every diagnostic, in order: line:col, id, message;
///                                           one in another file starts with that file's name:
///                                           `_lib.crucible:2:1: E-...`)
///     # expect-warning: 3:5: W-unused: `x` is never used
///                                          (every warning, in order, the same way; checked in
///                                           every case except error cases that list none)
///     # expect-hint: did you mean `ensure-line`? (some diagnostic has exactly this hint)
///     # expect-log: hello world            (a `log(...)` line, in order; `[host] ` prefix kept)
///     # expect-run-error: division by zero (a runtime error's message contains this)
///     # expect-changed: 2                  (ops reported changed, all hosts)
///     # expect-file: out.txt               (the file in the case's temp dir after the run...)
///     #| first line                        (...has exactly these lines)
///     # expect-no-file: out.txt            (the file does not exist after the run)
///     # given-file: in.conf                (written to the temp dir before the first run...)
///     #| [section]                         (...with these lines)
///     # check-mode                         (run with --check)
///     # runs: 2                            (run twice; expectations are about the last run)
///     # set: name=value                    (a param value, as --set would give it)
///     # params-file: _site.params          (a params file beside the case, as --params
///                                           would give it; --set values override it)
///
/// Files whose name starts with `_` are not cases: other cases include them.
///
/// A case with expect-error is only checked, never run. Others are checked (no errors
/// allowed) then run on the local transport with `param tmp` set to a fresh temp dir.
final class CorpusTests: XCTestCase {
    struct Expectations {
        var errors: [String] = []
        var warnings: [String] = []
        var hints: [String] = []
        var logs: [String] = []
        var runError: String?
        var changed: Int?
        var files: [(name: String, lines: [String])] = []
        var absentFiles: [String] = []
        var givenFiles: [(name: String, lines: [String])] = []
        var checkMode = false
        var runs = 1
        var sets: [(String, String)] = []
        var paramsFiles: [String] = []
    }

    static var corpusRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")
    }

    func testCorpus() async throws {
        let files = try corpusFiles()
        XCTAssertGreaterThan(files.count, 0, "no corpus cases found under \(Self.corpusRoot.path)")
        var failures: [String] = []
        for file in files {
            let problems = await runCase(file)
            failures += problems.map { "\(file.lastPathComponent): \($0)" }
        }
        print("corpus: \(files.count) cases, \(failures.count) failures")
        for failure in failures { XCTFail(failure) }
    }

    func corpusFiles() throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: Self.corpusRoot, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "crucible", !url.lastPathComponent.hasPrefix("_") { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    static func parseExpectations(_ text: String) -> Expectations {
        var expect = Expectations()
        // `#|` lines belong to the last given-file or expect-file line above them.
        var linesGoToGiven = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            func value(_ key: String) -> String? {
                guard trimmed.hasPrefix("# \(key)") else { return nil }
                let rest = trimmed.dropFirst(key.count + 2)
                return rest.hasPrefix(":") ? String(rest.dropFirst()).trimmingCharacters(in: .whitespaces) : (rest.isEmpty ? "" : nil)
            }
            if let error = value("expect-error") { expect.errors.append(error) }
            else if let warning = value("expect-warning") { expect.warnings.append(warning) }
            else if let hint = value("expect-hint") { expect.hints.append(hint) }
            else if let log = value("expect-log") { expect.logs.append(log) }
            else if let error = value("expect-run-error") { expect.runError = error }
            else if let changed = value("expect-changed") { expect.changed = Int(changed) }
            else if let name = value("expect-file") {
                expect.files.append((name, []))
                linesGoToGiven = false
            }
            else if let name = value("given-file") {
                expect.givenFiles.append((name, []))
                linesGoToGiven = true
            }
            else if let name = value("expect-no-file") { expect.absentFiles.append(name) }
            else if trimmed.hasPrefix("#|") {
                var content = trimmed.dropFirst(2)
                if content.hasPrefix(" ") { content = content.dropFirst() }
                if linesGoToGiven, !expect.givenFiles.isEmpty {
                    expect.givenFiles[expect.givenFiles.count - 1].lines.append(String(content))
                } else if !expect.files.isEmpty {
                    expect.files[expect.files.count - 1].lines.append(String(content))
                }
            }
            else if value("check-mode") != nil { expect.checkMode = true }
            else if let runs = value("runs") { expect.runs = Int(runs) ?? 1 }
            else if let file = value("params-file") { expect.paramsFiles.append(file) }
            else if let set = value("set"), let eq = set.firstIndex(of: "=") {
                expect.sets.append((String(set[..<eq]), String(set[set.index(after: eq)...])))
            }
        }
        return expect
    }

    func runCase(_ url: URL) async -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return ["unreadable"] }
        let expect = Self.parseExpectations(text)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-corpus-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        // The full path, so includes resolve next to the case.
        let source = SourceFile(name: url.standardizedFileURL.path, text: text)
        let (program, recipeDiagnostics) = RecipeLoader().load(source)
        var inputs: [ParamInput] = []
        var paramsFileDiagnostics: [Diagnostic] = []
        for name in expect.paramsFiles {
            let path = url.deletingLastPathComponent().appendingPathComponent(name).standardizedFileURL.path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ["cannot read params file \(name)"] }
            let file = ParamsFile.parse(SourceFile(name: path, text: text))
            inputs += file.inputs
            paramsFileDiagnostics += file.diagnostics
        }
        inputs += expect.sets.map { ParamInput(name: $0.0, raw: $0.1) }
        let parseDiagnostics = recipeDiagnostics + paramsFileDiagnostics
        if text.contains("param tmp") { inputs.append(ParamInput(name: "tmp", raw: tmp.path)) }
        var checker = Checker(ops: Stdlib.all, inputs: inputs)
        // As `crucible-sh lint` and `run` do (CheckedRecipe): the checker runs even after
        // syntax errors.
        let diagnostics = parseDiagnostics + checker.check(program)
        let rendered = diagnostics.filter { $0.severity == .error }.map { Self.summary($0, caseFile: source) }
        let warnings = diagnostics.filter { $0.severity == .warning }.map { Self.summary($0, caseFile: source) }
        // Every case that runs has exactly the warnings it lists (none, usually): a warning
        // about correct code is a bug too.
        let warningProblems = warnings == expect.warnings || (!expect.errors.isEmpty && expect.warnings.isEmpty)
            ? [] : ["warnings differ\n  expected: \(expect.warnings)\n  actual:   \(warnings)"]
        if !expect.errors.isEmpty || diagnostics.hasErrors {
            var problems = warningProblems
            if rendered != expect.errors {
                problems.append("diagnostics differ\n  expected: \(expect.errors)\n  actual:   \(rendered)")
            }
            let hints = diagnostics.compactMap(\.hint)
            for hint in expect.hints where !hints.contains(hint) {
                problems.append("no diagnostic has the hint `\(hint)`; hints: \(hints)")
            }
            return problems
        }
        var report = RunReport(recipe: "", checkMode: false)
        let logs = LogCollector()
        for (name, lines) in expect.givenFiles {
            let content = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
            FileManager.default.createFile(atPath: tmp.appendingPathComponent(name).path, contents: Data(content.utf8))
        }
        var options = RunOptions(checkMode: expect.checkMode)
        // The case's own lock: the default path is shared by every crucible run on this machine.
        options.lockPath = tmp.appendingPathComponent("crucible.lock").path
        for _ in 0..<expect.runs {
            logs.reset()
            let evaluator = Evaluator(ops: Stdlib.all, paramValues: checker.paramValues,
                                      transports: { LocalTransport(target: $0) },
                                      options: options, observer: logs)
            report = await evaluator.run(program)
        }
        return warningProblems + compare(report, logs.lines, expect, tmp)
    }

    /// `line:col: ID: message`, with the file name first when it is not the case file.
    static func summary(_ diagnostic: Diagnostic, caseFile: SourceFile) -> String {
        let (line, column) = diagnostic.span.startLocation
        let file = diagnostic.span.file.name == caseFile.name
            ? "" : URL(fileURLWithPath: diagnostic.span.file.name).lastPathComponent + ":"
        // Paths in messages are written from the corpus root, so cases do not depend on the checkout.
        let message = diagnostic.message.replacingOccurrences(of: corpusRoot.standardizedFileURL.path, with: "CORPUS")
        return "\(file)\(line):\(column): \(diagnostic.id): \(message)"
    }

    func compare(_ report: RunReport, _ logs: [String], _ expect: Expectations, _ tmp: URL) -> [String] {
        var problems: [String] = []
        let hostErrors = report.hosts.compactMap(\.error)
        let runErrors = (report.error.map { [$0] } ?? []) + hostErrors
        if let wanted = expect.runError {
            if !runErrors.contains(where: { $0.contains(wanted) }) {
                problems.append("expected a run error containing `\(wanted)`, got \(runErrors)")
            }
        } else if !runErrors.isEmpty {
            problems.append("unexpected run error: \(runErrors)")
        }
        if logs != expect.logs {
            problems.append("logs differ\n  expected: \(expect.logs)\n  actual:   \(logs)")
        }
        if let changed = expect.changed, report.changedCount != changed {
            problems.append("expected \(changed) changed, got \(report.changedCount)")
        }
        for (name, lines) in expect.files {
            let path = tmp.appendingPathComponent(name).path
            let actual = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            let wanted = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
            if actual != wanted {
                problems.append("file \(name) differs\n  expected: \(wanted.debugDescription)\n  actual:   \(actual?.debugDescription ?? "missing")")
            }
        }
        for name in expect.absentFiles where FileManager.default.fileExists(atPath: tmp.appendingPathComponent(name).path) {
            problems.append("file \(name) exists, but the case expects it not to")
        }
        return problems
    }
}

/// Collects `log(...)` lines in order.
final class LogCollector: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    var lines: [String] {
        lock.lock(); defer { lock.unlock() }
        return collected
    }

    func reset() {
        lock.lock(); defer { lock.unlock() }
        collected = []
    }

    func hostStarted(_ host: HostTarget, blockLocation: String) {}
    func opStarted(_ host: HostTarget, op: String, location: String) {}
    func opFinished(_ host: HostTarget, _ record: OpRecord) {}
    func hostFailed(_ host: HostTarget, _ report: HostReport) {}
    func log(_ host: HostTarget?, _ message: String) {
        lock.lock(); defer { lock.unlock() }
        collected.append(host.map { "[\($0.name)] \(message)" } ?? message)
    }
}
