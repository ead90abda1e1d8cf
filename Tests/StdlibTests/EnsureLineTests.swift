import Foundation
import XCTest
import Interpreter
import Stdlib

/// ensure-line beyond the peer cases: creation, errors, backups, line endings.
final class EnsureLineTests: XCTestCase {
    func testCreatesAMissingFileAndItsDirectory() async throws {
        let scratch = try Scratch()
        let path = scratch.path("etc/sudoers.d/nova")
        let outcome = try await EditCycle().run("ensure-line", [
            "path": .string(path), "line": .string("nova ALL=(root) NOPASSWD: /usr/bin/nova-rootwrap"), "create": .bool(true),
        ], path: path, golden: "created/sudoers-nova")
        XCTAssertEqual(outcome.commands, [PathCheck.changeCommand(in: scratch.root.path, create: ["etc", "sudoers.d"])])
        XCTAssertTrue(outcome.diff.hasPrefix("--- /dev/null\n"), outcome.diff)
        XCTAssertEqual(try Disk.mode(path), 0o644)
        XCTAssertFalse(Disk.exists(path + ".crucible~"))
    }

    func testAMissingFileIsAnErrorWithoutCreate() async throws {
        let scratch = try Scratch()
        do {
            _ = try await OpTestHost().run("ensure-line", ["path": .string(scratch.path("nope")), "line": .string("x")])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("does not exist"), error.description)
            XCTAssertTrue(error.description.contains("create: true"), error.description)
        }
        let absent = try await OpTestHost().run("ensure-line", ["path": .string(scratch.path("nope")), "line": .string("x"), "state": .string("absent")])
        XCTAssertFalse(absent.changed)
    }

    func testBackupFalseAndTheRunDefault() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel7/etc/hosts", to: "hosts")
        try await EditCycle().run("ensure-line", ["path": .string(path), "line": .string("10.1.1.1 a"), "backup": .bool(false)],
                                  path: path, golden: "rhel7/hosts.ensure-line", expectBackup: false)
        let noBackups = OpTestHost(backupsByDefault: false)
        _ = try await noBackups.run("ensure-line", ["path": .string(path), "line": .string("10.1.1.2 b")])
        XCTAssertFalse(Disk.exists(path + ".crucible~"), "backupsByDefault false: no backup")
        _ = try await noBackups.run("ensure-line", ["path": .string(path), "line": .string("10.1.1.3 c"), "backup": .bool(true)])
        XCTAssertTrue(Disk.exists(path + ".crucible~"), "backup: true wins over the run default")
    }

    func testCRLFAndAMissingFinalNewlineAreKept() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("a=1\r\nb=2", to: "crlf")
        _ = try await OpTestHost().run("ensure-line", ["path": .string(path), "line": .string("b=3"), "match": .string("^b=")])
        XCTAssertEqual(Disk.text(path), "a=1\r\nb=3", "replacing the last line keeps it without a newline")
        _ = try await OpTestHost().run("ensure-line", ["path": .string(path), "line": .string("c=4")])
        XCTAssertEqual(Disk.text(path), "a=1\r\nb=3\r\nc=4\r\n", "appending ends the old last line, in the file's style")
    }

    func testInvalidRegexIsReportedWithTheParameterName() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("x\n", to: "f")
        do {
            _ = try await OpTestHost().run("ensure-line", ["path": .string(path), "line": .string("y"), "after": .string("(")])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("`after`"), error.description)
        }
    }

    /// A value that ends up as two lines is how `export_clients = "\n/ *"` exported `/`.
    func testALineWithALineBreakIsRefused() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("x\n", to: "f")
        for line in ["a\n/ *(rw)", "a\r", "a\r\nb", "\n"] {
            do {
                _ = try await OpTestHost(backupsByDefault: false).run("ensure-line", ["path": .string(path), "line": .string(line)])
                XCTFail("expected an error for \(Value.quoted(line))")
            } catch let error as OpError {
                XCTAssertTrue(error.message.contains("contains a line break"), error.message)
            }
        }
        XCTAssertEqual(Disk.text(path), "x\n")
    }

    func testRelativePathsAreRejected() async throws {
        do {
            _ = try await OpTestHost().run("ensure-line", ["path": .string("etc/hosts"), "line": .string("y")])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("absolute"), error.description)
        }
    }

    func testAbsentRemovesEveryMatchingLine() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("keep\nPermitRootLogin yes\n#x\nPermitRootLogin no\n", to: "sshd_config")
        try await EditCycle().run("ensure-line", ["path": .string(path), "match": .string("^PermitRootLogin\\s"), "state": .string("absent")],
                                  path: path, golden: "edited/sshd_config.absent")
        XCTAssertEqual(Disk.text(path), "keep\n#x\n")
        _ = try await OpTestHost().run("ensure-line", ["path": .string(path), "line": .string("#x"), "match": .string("^k"), "state": .string("absent")])
        XCTAssertEqual(Disk.text(path), "", "`line` and `match` both remove")
    }
}
