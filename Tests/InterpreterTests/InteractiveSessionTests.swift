import DSL
import Foundation
import Interpreter
import Stdlib
import XCTest

/// The interactive session on the local transport: entries checked then run one at a
/// time, names persisting, failures leaving the session usable, typed continuation.
final class InteractiveSessionTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    final class Shown: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Value] = []
        func add(_ value: Value) { lock.withLock { values.append(value) } }
        var all: [Value] { lock.withLock { values } }
    }

    func makeSession() -> InteractiveSession {
        InteractiveSession(target: .local, ops: Stdlib.all, transports: { LocalTransport(target: $0) })
    }

    func enter(_ session: InteractiveSession, _ text: String, _ shown: Shown = Shown()) async throws -> EntryResult {
        guard case .complete(let program) = SessionEntry.parse(text) else {
            XCTFail("`\(text)` did not parse as a complete entry")
            return .done
        }
        return await session.evaluate(program) { shown.add($0) }
    }

    func expectDone(_ session: InteractiveSession, _ text: String, _ shown: Shown = Shown(),
                    file: StaticString = #filePath, line: UInt = #line) async throws {
        let result = try await enter(session, text, shown)
        XCTAssertEqual(result, .done, "`\(text)`", file: file, line: line)
    }

    func testLetPersistsAndExpressionsShowTheirValue() async throws {
        let session = makeSession()
        let shown = Shown()
        try await expectDone(session, "let base = 40", shown)
        try await expectDone(session, "base + 2", shown)
        try await expectDone(session, #""on ${host.name}""#, shown)
        XCTAssertEqual(shown.all, [.int(42), .string("on local")])
        XCTAssertTrue(session.names.contains("base"))
    }

    func testAnEntryWithCheckerErrorsRunsNothingAndDefinesNothing() async throws {
        let session = makeSession()
        let path = dir.appendingPathComponent("conf").path
        try "a=1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await enter(session, """
            let later = 1
            ensure-line "\(path)" "b=2"
            ensure-lin "\(path)" "c=3"
            """)
        guard case .rejected(let diagnostics) = result else { return XCTFail("expected a rejection, got \(result)") }
        XCTAssertEqual(diagnostics.map(\.id), ["E-unknown-op"])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a=1\n", "nothing ran")
        XCTAssertFalse(session.names.contains("later"))
        guard case .rejected = try await enter(session, "later") else { return XCTFail("`later` must stay undefined") }
    }

    func testOpsApplyOrOnlyShowInCheckModeAndFailuresKeepTheSession() async throws {
        let session = makeSession()
        let path = dir.appendingPathComponent("conf").path
        try "a=1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let shown = Shown()
        session.checkMode = true
        try await expectDone(session, #"let r = ensure-line "\#(path)" "b=2""#, shown)
        try await expectDone(session, "r.diff", shown)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a=1\n", "check mode writes nothing")
        XCTAssertTrue(shown.all.first?.asString?.contains("+b=2") == true, "\(shown.all)")

        session.checkMode = false
        let failed = try await enter(session, #"run("exit 3")"#)
        guard case .failed(let message) = failed else { return XCTFail("expected a failure, got \(failed)") }
        XCTAssertTrue(message.contains("exit status 3"), message)
        try await expectDone(session, #"ensure-line "\#(path)" "b=2""#)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a=1\nb=2\n")
    }

    func testEachEntryReadsFilesAfreshAfterSomeoneElseChangedThem() async throws {
        let session = makeSession()
        let path = dir.appendingPathComponent("conf").path
        try "a=1\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await expectDone(session, #"ensure-line "\#(path)" "b=2""#)
        try "edited=elsewhere\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await expectDone(session, #"ensure-line "\#(path)" "b=2""#)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "edited=elsewhere\nb=2\n",
                       "the second entry did not use the first entry's cached read")
    }

    func testRuntimeErrorsAreRenderedAndFunctionsCanBeRedefined() async throws {
        let session = makeSession()
        let shown = Shown()
        try await expectDone(session, "fn twice(x) { return x * 2 }")
        try await expectDone(session, "fn twice(x) { return x + x + 1 }")
        try await expectDone(session, "twice(20)", shown)
        XCTAssertEqual(shown.all, [.int(41)])
        let result = try await enter(session, "[1, 2][5]")
        guard case .failed(let message) = result else { return XCTFail("expected a runtime error, got \(result)") }
        XCTAssertTrue(message.hasPrefix("<repl>:1:"), message)
        XCTAssertTrue(message.contains(" 1 | [1, 2][5]"), "the line is shown under the message:\n\(message)")
    }

    func testContinuationIsDecidedByTheParsersUnexpectedEnd() {
        for unfinished in ["if true {", "edit-ini \"/x\" {\n  a = 1", "log(\"a\",", "let x = [1,", "\"\"\"\ntext", "let x ="] {
            guard case .incomplete = SessionEntry.parse(unfinished) else {
                return XCTFail("`\(unfinished)` should ask for more input")
            }
        }
        guard case .unfinishedWithErrors(let errors, let atEnd) = SessionEntry.parse("let = 3\nif true {") else {
            return XCTFail("an error before the end is an error, shown while the block is still open")
        }
        XCTAssertEqual(errors.map(\.message), ["expected a name after `let`, found `=`"])
        XCTAssertEqual(atEnd.map(\.message), ["expected `}` to close the block"], "only an error if the input ends")
        guard case .invalid = SessionEntry.parse("let = 3\nif true {\n}") else {
            return XCTFail("once the block is closed, the entry is invalid")
        }
        guard case .invalid = SessionEntry.parse("1 + + 2") else { return XCTFail("a wrong entry is invalid") }
        guard case .complete = SessionEntry.parse("if true {\n  log(\"a\")\n}") else { return XCTFail("a closed block is complete") }
    }
}
