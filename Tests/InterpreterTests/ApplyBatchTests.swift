import Foundation
import Interpreter
import XCTest

/// Several changes in one exec, on real files with a real shell (the local transport): each
/// applied as it would be alone, in order, stopping at the first failure, never leaving a
/// file half-written.
final class ApplyBatchTests: XCTestCase {
    var directory: URL!
    let transport = LocalTransport()

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func bytes(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map(Array.init)
    }

    func write(_ name: String, _ text: String, mode: Int = 0o644) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path(name))
    }

    func mode(_ name: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path(name))[.posixPermissions] as? Int) ?? -1
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".crucible-tmp") }
    }

    func writeStep(_ name: String, _ after: [UInt8], backup: Bool = false) -> PlannedAction {
        .writeFile(path: path(name), before: bytes(name), after: after,
                   options: WriteOptions(backupPath: backup ? path(name) + ".crucible~" : nil))
    }

    func testWritesAndCommandsRunInOrderInOneExec() async throws {
        try write("secret", "old\n", mode: 0o600)
        try write("conf", "a = 1\n")
        let binary: [UInt8] = [0, 255, 10, 13, 0]
        let batch = ApplyBatch([
            writeStep("secret", Array("new secret\n".utf8), backup: true),
            .run(command: ShellQuote.command(["touch", path("made-by-step-1")]), summary: "touch"),
            // A command that reads stdin gets nothing: the next file's bytes are not its to eat.
            .run(command: "cat > " + ShellQuote.quote(path("stdin-seen")), summary: "cat"),
            writeStep("conf", Array("a = 2\nno newline at the end".utf8)),
            writeStep("new-binary", binary),
            writeStep("empty", []),
        ])
        let result = try await transport.run(batch.command, stdin: batch.stdin, timeout: nil)
        let outcome = batch.outcome(of: result)
        XCTAssertEqual(outcome.completed, 6, result.stderrText)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(bytes("secret"), Array("new secret\n".utf8))
        XCTAssertEqual(try mode("secret"), 0o600, "a 0600 file stays 0600")
        XCTAssertEqual(bytes("secret.crucible~"), Array("old\n".utf8), "the backup holds the old bytes")
        XCTAssertNotNil(bytes("made-by-step-1"))
        XCTAssertEqual(bytes("stdin-seen"), [])
        XCTAssertEqual(bytes("conf"), Array("a = 2\nno newline at the end".utf8))
        XCTAssertEqual(bytes("new-binary"), binary)
        XCTAssertEqual(bytes("empty"), [])
        XCTAssertEqual(try leftovers(), [])
    }

    func testASymlinkStaysASymlinkAndItsTargetGetsTheBytes() async throws {
        try FileManager.default.createDirectory(atPath: path("real"), withIntermediateDirectories: true)
        try write("real/app.conf", "old\n", mode: 0o640)
        try FileManager.default.createSymbolicLink(atPath: path("app.conf"), withDestinationPath: path("real/app.conf"))
        let batch = ApplyBatch([writeStep("app.conf", Array("new\n".utf8))])
        let result = try await transport.run(batch.command, stdin: batch.stdin, timeout: nil)
        XCTAssertNil(batch.outcome(of: result).failure, result.stderrText)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: path("app.conf"))
        XCTAssertEqual(link, path("real/app.conf"), "the link is still a link to the same file")
        XCTAssertEqual(bytes("real/app.conf"), Array("new\n".utf8))
        XCTAssertEqual(try mode("real/app.conf"), 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("real")).filter { $0.contains(".crucible-tmp") }, [])
    }

    /// What another user could have put in a directory crucible writes to: a FIFO (or device)
    /// where a file is managed, a symlink of theirs. The write refuses, naming it; nothing is
    /// written through it and no temp file is left.
    func testAWriteRefusesAFifoAndAnotherUsersSymlink() async throws {
        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        try write("real", "untouched\n")
        XCTAssertEqual(symlink(path("real"), path("link")), 0)
        XCTAssertEqual(lchown(path("link"), 162, 162), 0)
        let fifo = ApplyBatch([.writeFile(path: path("fifo"), before: nil, after: Array("x\n".utf8), options: WriteOptions())])
        let fifoResult = try await transport.run(fifo.command, stdin: fifo.stdin, timeout: 30)
        XCTAssertEqual(fifo.outcome(of: fifoResult).failure?.message,
                       "refusing to write \(path("fifo")): it is a FIFO, not a regular file")
        let link = ApplyBatch([writeStep("link", Array("through the link\n".utf8))])
        let linkResult = try await transport.run(link.command, stdin: link.stdin, timeout: 30)
        let message = link.outcome(of: linkResult).failure?.message ?? ""
        XCTAssertTrue(message.hasPrefix("refusing to follow \(path("link")): a symlink owned by "), message)
        XCTAssertTrue(message.contains("(uid 162), pointing to \(path("real"))"), message)
        XCTAssertEqual(bytes("real"), Array("untouched\n".utf8))
        XCTAssertEqual(try leftovers(), [])
    }

    /// A mode given by the op replaces the file's own; the backup is the version just
    /// replaced. (That the new bytes are never readable meanwhile is
    /// `HostileHostUserTests.testANewSecretIsNeverReadableWhileItIsWritten`.)
    func testATightenedModeIsTheFinalModeAndTheBackupIsKept() async throws {
        try write("secret", "public\n", mode: 0o644)
        try write("secret.crucible~", "older\n")
        let batch = ApplyBatch([.writeFile(path: path("secret"), before: bytes("secret"), after: Array("secret\n".utf8),
                                           options: WriteOptions(backupPath: path("secret") + ".crucible~", mode: "0600"))])
        let result = try await transport.run(batch.command, stdin: batch.stdin, timeout: 30)
        XCTAssertNil(batch.outcome(of: result).failure, result.stderrText)
        XCTAssertEqual(try mode("secret"), 0o600)
        XCTAssertEqual(bytes("secret.crucible~"), Array("public\n".utf8), "the backup is the version just replaced")
        XCTAssertEqual(try leftovers(), [])
    }

    func testTheFirstFailingStepStopsTheBatchAndIsNamedWithItsOwnMessage() async throws {
        try write("first", "1\n")
        try write("last", "untouched\n")
        let batch = ApplyBatch([
            writeStep("first", Array("one\n".utf8)),
            .run(command: "echo noise from a step that works >&2", summary: "noise"),
            .run(command: "echo the real reason >&2; exit 4", summary: "failing step"),
            writeStep("last", Array("never\n".utf8)),
        ])
        let result = try await transport.run(batch.command, stdin: batch.stdin, timeout: nil)
        let outcome = batch.outcome(of: result)
        XCTAssertEqual(outcome.completed, 2)
        XCTAssertEqual(outcome.failure?.status, 4)
        XCTAssertEqual(outcome.failure?.message, "the real reason")
        XCTAssertEqual(bytes("first"), Array("one\n".utf8), "steps before the failure took effect")
        XCTAssertEqual(bytes("last"), Array("untouched\n".utf8), "steps after it did not")
    }

    func testInputCutShortLeavesEveryFileWholeAndNoTempFile() async throws {
        try write("a", "a-old\n")
        try write("b", "b-old\n")
        let newA = Array(repeating: UInt8(ascii: "x"), count: 10_000)
        let newB = Array(repeating: UInt8(ascii: "y"), count: 10_000)
        let batch = ApplyBatch([writeStep("a", newA), writeStep("b", newB)])
        for cut in [5_000, newA.count, newA.count + 3, batch.stdin.count - 4_000, batch.stdin.count - 1] {
            try write("a", "a-old\n")
            try write("b", "b-old\n")
            let result = try await transport.run(batch.command, stdin: Array(batch.stdin.prefix(cut)), timeout: nil)
            let outcome = batch.outcome(of: result)
            XCTAssertNotNil(outcome.failure, "cut at \(cut)")
            for (name, old, new) in [("a", "a-old\n", newA), ("b", "b-old\n", newB)] {
                let now = bytes(name)
                XCTAssertTrue(now == Array(old.utf8) || now == new, "\(name) cut at \(cut): neither old nor new")
            }
            XCTAssertEqual(bytes("b"), Array("b-old\n".utf8), "cut at \(cut): b's bytes never all arrived")
            XCTAssertEqual(try leftovers(), [], "cut at \(cut)")
        }
    }
}
