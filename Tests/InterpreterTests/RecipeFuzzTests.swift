import DSL
import Foundation
import Interpreter
import Stdlib
import TestSupport
import XCTest

/// Hostile recipes through the lexer, parser and checker (and the renderer of their
/// diagnostics): mutated copies of every corpus recipe and bundled recipe, plus deeply
/// nested and huge inputs. Nothing may crash or hang, and every diagnostic points inside
/// its file.
///
/// FUZZ_ITERATIONS=N runs longer (default 3000, a few seconds); FUZZ_SEED=N replays a run.
/// Before each input is tried it is written to $TMPDIR/crucible-fuzz-current.crucible, so
/// the input of a crash (which ends the test process) is there to reproduce it with
/// `crucible-sh lint FILE`.
final class RecipeFuzzTests: XCTestCase {
    /// A budget per input that only a hang or something badly quadratic exceeds: 20 s plus
    /// a minute per megabyte, where a mutated recipe normally takes a millisecond and a
    /// megabyte about a second (debug build). Not a speed assertion: the machine may be
    /// shared by many jobs.
    static func grossBudget(bytes: Int) -> Double { 20 + 60 * Double(bytes) / 1_000_000 }

    func testMutatedRecipesGiveDiagnosticsWithValidSpans() throws {
        let seed = SeededGenerator.seed(fromEnvironment: "FUZZ_SEED")
        let iterations = Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 3000
        print("recipe fuzz: seed \(seed) (FUZZ_SEED=\(seed) replays it), \(iterations) inputs")
        let corpus = try Self.corpus()
        XCTAssertGreaterThan(corpus.count, 40, "the corpus and the bundled recipes are found")
        var mutator = RecipeMutator(corpus: corpus, random: SeededGenerator(seed: seed))
        var withErrors = 0, diagnosticsSeen = 0
        for index in 0..<iterations {
            let input = mutator.next()
            guard let outcome = try checkWithinBudget(input, label: "input \(index + 1) of seed \(seed)") else { return }
            diagnosticsSeen += outcome.count
            if outcome.contains(where: { $0.severity == .error }) { withErrors += 1 }
        }
        print("recipe fuzz: \(iterations) inputs, \(withErrors) with errors, \(diagnosticsSeen) diagnostics, all spans valid")
    }

    // MARK: - Deep and huge input

    func testDeepNestingIsAnErrorNotAStackOverflow() throws {
        let depth = 10_000
        let cases: [(String, String)] = [
            ("brackets", "let x = " + String(repeating: "[", count: depth)),
            ("closed brackets", "let x = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)),
            ("parentheses", "let x = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)),
            ("braces", "let x = " + String(repeating: "{", count: depth)),
            ("records", "let x = " + String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)),
            ("blocks", String(repeating: "if true {\n", count: depth) + String(repeating: "}\n", count: depth)),
            ("not", "let x = " + String(repeating: "not ", count: depth) + "true"),
            ("negation", "let x = " + String(repeating: "-", count: depth) + "1"),
            ("calls", "let x = " + String(repeating: "f(", count: depth) + "1" + String(repeating: ")", count: depth)),
            ("interpolation", "let x = " + String(repeating: "\"${", count: depth) + "1" + String(repeating: "}\"", count: depth)),
            ("index chain", "let x = [1]" + String(repeating: "[0]", count: depth)),
            ("field chain", "let x = {a: 1}" + String(repeating: ".a", count: depth)),
            ("else if chain", "if true { }" + String(repeating: " else if true { }", count: depth)),
        ]
        for (name, text) in cases {
            let diagnostics = try checkWithinBudget(Array(text.utf8), label: name)
            XCTAssertNotNil(diagnostics, name)
        }
    }

    /// Long flat chains are not nesting for the parser (it loops), but the tree they build
    /// is as deep as the chain is long: the checker and the evaluator must cope.
    func testLongOperatorChainsCheckAndRun() async throws {
        for length in [150, 10_000] {
            try await checkAndRunChains(length: length, mayHitTheLimit: length > 150)
        }
    }

    /// Chains of `length` links: they run and give the exact value, or (when allowed) stop
    /// at the nesting limit with a diagnostic.
    func checkAndRunChains(length: Int, mayHitTheLimit: Bool) async throws {
        let cases: [(String, String, String)] = [
            ("plus \(length)", "let x = " + Array(repeating: "1", count: length).joined(separator: " + ") + "\nlog(\"${x}\")", "\(length)"),
            ("and \(length)", "let x = " + Array(repeating: "true", count: length).joined(separator: " and ") + "\nlog(\"${x}\")", "true"),
            ("concat \(length)", "let x = " + Array(repeating: "\"a\"", count: length).joined(separator: " + ") + "\nlog(\"${len(x)}\")", "\(length)"),
            ("comparison \(length)", "let x = " + Array(repeating: "1 + ", count: length - 1).joined() + "1 == \(length)\nlog(\"${x}\")", "true"),
        ]
        for (name, text, expected) in cases {
            let file = SourceFile(name: "\(name).crucible", text: text)
            let (program, syntax) = Parser.parse(file)
            var checker = Checker(ops: Stdlib.all, inputs: [], requireParamValues: false)
            let diagnostics = syntax + checker.check(program)
            Self.assertSpansValid(diagnostics, in: file, label: name)
            if diagnostics.hasErrors {
                // A depth limit is an acceptable answer for a very long chain, as long as it
                // is a diagnostic.
                XCTAssertTrue(mayHitTheLimit && diagnostics.contains { $0.id == "E-nesting" }, "\(name): \(diagnostics.map(\.description))")
                continue
            }
            let logs = CollectedLogs()
            let report = await Evaluator(ops: Stdlib.all, paramValues: checker.paramValues,
                                         transports: { LocalTransport(target: $0) }, observer: logs).run(program)
            if let error = report.error {
                XCTAssertTrue(error.contains("nested"), "\(name): \(error)")
            } else {
                XCTAssertEqual(logs.lines, [expected], name)
            }
        }
    }

    func testHugeFileGivesAnAnswer() throws {
        let corpus = try Self.corpus()
        var bytes: [UInt8] = []
        var index = 0
        while bytes.count < 5_000_000 {
            bytes += corpus[index % corpus.count] + Array("\n".utf8)
            index += 1
        }
        XCTAssertNotNil(try checkWithinBudget(bytes, label: "5 MB of recipes"))
        var oneLine = Array("let x = \"".utf8) + Array(repeating: UInt8(ascii: "a"), count: 5_000_000) + Array("\"\n".utf8)
        XCTAssertNotNil(try checkWithinBudget(oneLine, label: "a 5 MB string"))
        oneLine = Array(repeating: UInt8(ascii: "\n"), count: 5_000_000)
        XCTAssertNotNil(try checkWithinBudget(oneLine, label: "5 MB of newlines"))
    }

    // MARK: - Running one input

    /// Lexes, parses, checks and renders one input off the test's thread, as the CLI does
    /// (in a task); nil after a failure was recorded (gross budget exceeded).
    func checkWithinBudget(_ input: [UInt8], label: String) throws -> [Diagnostic]? {
        let current = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-fuzz-current.crucible")
        try Data(input).write(to: current)
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        box.start(input, done: done)
        let budget = Self.grossBudget(bytes: input.count)
        guard done.wait(timeout: .now() + budget) == .success else {
            XCTFail("\(label): no answer within \(Int(budget)) s (a hang?); input in \(current.path)")
            return nil
        }
        let (file, diagnostics) = box.get()!
        Self.assertSpansValid(diagnostics, in: file, label: "\(label) (input in \(current.path), \(ContinuousClock.now - started))")
        return diagnostics
    }

    static func assertSpansValid(_ diagnostics: [Diagnostic], in file: SourceFile, label: String,
                                 source: StaticString = #filePath, line: UInt = #line) {
        for diagnostic in diagnostics {
            var spans = [diagnostic.span]
            spans += diagnostic.notes.compactMap(\.span)
            for span in spans {
                let size = span.file.bytes.count
                let valid = 0 <= span.start && span.start <= span.end && span.end <= size
                XCTAssertTrue(valid, "\(label): \(diagnostic.id) span \(span.start)..<\(span.end) outside 0..<\(size)", file: source, line: line)
                guard valid else { continue }
                for offset in [span.start, span.end] {
                    let (lineNumber, column) = span.file.location(of: offset)
                    let lineLength = span.file.lineText(lineNumber).count
                    XCTAssertTrue(lineNumber >= 1 && lineNumber <= span.file.lineStarts.count,
                                  "\(label): \(diagnostic.id) line \(lineNumber) of \(span.file.lineStarts.count)", file: source, line: line)
                    XCTAssertTrue(column >= 1 && column <= lineLength + 2,
                                  "\(label): \(diagnostic.id) column \(column) on a line of \(lineLength)", file: source, line: line)
                }
            }
            XCTAssertTrue(span(diagnostic.span, belongsTo: file), "\(label): \(diagnostic.id) points into another file", file: source, line: line)
        }
    }

    static func span(_ span: Span, belongsTo file: SourceFile) -> Bool { span.file === file }

    /// Every corpus case and bundled recipe, as bytes.
    static func corpus() throws -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files: [URL] = []
        for folder in ["Tests/Corpus", "recipes"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "crucible" { files.append(url) }
            }
        }
        return try files.sorted { $0.path < $1.path }.map { [UInt8](try Data(contentsOf: $0)) }
    }
}

/// Carries one pipeline result from the worker task to the waiting test.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()

    /// Runs the pipeline in a detached task, as the CLI runs it, and signals when done.
    func start(_ input: [UInt8], done: DispatchSemaphore) {
        Task.detached { [self] in
            set(Self.pipeline(input))
            done.signal()
        }
    }

    /// Lex, parse, check, render: what `crucible-sh lint` does with a file.
    static func pipeline(_ input: [UInt8]) -> (SourceFile, [Diagnostic]) {
        let file = SourceFile(name: "fuzz.crucible", bytes: input)
        let (program, syntax) = Parser.parse(file)
        var checker = Checker(ops: Stdlib.all, inputs: [], requireParamValues: false)
        let diagnostics = syntax + checker.check(program)
        _ = DiagnosticRenderer(useColor: false).render(diagnostics)
        return (file, diagnostics)
    }

    private var value: (SourceFile, [Diagnostic])?
    func set(_ value: (SourceFile, [Diagnostic])) { lock.lock(); self.value = value; lock.unlock() }
    func get() -> (SourceFile, [Diagnostic])? { lock.lock(); defer { lock.unlock() }; return value }
}

/// The `log(...)` lines of a run.
final class CollectedLogs: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return collected }
    func hostStarted(_ host: HostTarget, blockLocation: String) {}
    func opStarted(_ host: HostTarget, op: String, location: String) {}
    func opFinished(_ host: HostTarget, _ record: OpRecord) {}
    func hostFailed(_ host: HostTarget, _ report: HostReport) {}
    func log(_ host: HostTarget?, _ message: String) { lock.lock(); collected.append(message); lock.unlock() }
}
