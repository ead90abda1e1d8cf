import Foundation
import XCTest
import Interpreter
import Stdlib

/// The life of one file edit, checked the same way for every op:
/// check mode plans a change and touches nothing; the real run writes exactly the golden
/// bytes, keeps mode and owner, and leaves a backup holding the old bytes (or none with
/// `backup: false`); a second run changes nothing.
struct EditCycle {
    var host = OpTestHost()
    /// Mode and owner set on the file before the edit, to prove the write keeps them.
    var mode = 0o640
    var uid = 4321
    var gid = 4322

    @discardableResult
    func run(_ op: String, _ arguments: [String: Value], path: String, golden: String,
             expectBackup: Bool = true, file: StaticString = #filePath, line: UInt = #line) async throws -> OpRecord {
        let original = Disk.bytes(path)
        if original != nil {
            try Disk.setMode(path, mode)
            try Disk.setOwner(path, uid: uid, gid: gid)
        }
        let backupPath = path + ".crucible~"

        let planned = try await host.checking().run(op, arguments)
        XCTAssertTrue(planned.changed, "check mode should plan a change", file: file, line: line)
        XCTAssertEqual(Disk.bytes(path), original, "check mode must not touch the file", file: file, line: line)
        XCTAssertFalse(Disk.exists(backupPath), "check mode must not write a backup", file: file, line: line)

        let applied = try await host.run(op, arguments)
        XCTAssertTrue(applied.changed, file: file, line: line)
        XCTAssertEqual(applied.diff, planned.diff, "check mode shows the diff the real run makes", file: file, line: line)
        let result = try XCTUnwrap(Disk.bytes(path), "the file should exist after the edit", file: file, line: line)
        try Golden.assertEqual(result, golden, file: file, line: line)
        XCTAssertEqual(UnifiedDiff.render(old: original, new: result, path: path), applied.diff, file: file, line: line)

        if original != nil {
            XCTAssertEqual(try Disk.mode(path), mode, "mode kept", file: file, line: line)
            let owner = try Disk.owner(path)
            XCTAssertEqual(owner.uid, uid, "owner kept", file: file, line: line)
            XCTAssertEqual(owner.gid, gid, "group kept", file: file, line: line)
            if expectBackup {
                XCTAssertEqual(Disk.bytes(backupPath), original, "the backup holds the old bytes", file: file, line: line)
            } else {
                XCTAssertFalse(Disk.exists(backupPath), "no backup with backup: false", file: file, line: line)
            }
        }

        let again = try await host.run(op, arguments)
        XCTAssertFalse(again.changed, "a second run changes nothing", file: file, line: line)
        XCTAssertEqual(again.diff, "", file: file, line: line)
        XCTAssertEqual(Disk.bytes(path), result, file: file, line: line)
        return applied
    }
}

/// Golden files under Tests/StdlibTests/Golden/. Run with CRUCIBLE_UPDATE_GOLDEN=1 to
/// (re)write them after a deliberate change, then read the diff before committing.
enum Golden {
    static func assertEqual(_ actual: [UInt8], _ name: String, file: StaticString, line: UInt) throws {
        let url = Fixtures.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CRUCIBLE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual).write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing golden file \(name) (run with CRUCIBLE_UPDATE_GOLDEN=1 to write it)", file: file, line: line)
            return
        }
        if Array(expected) != actual {
            let diff = UnifiedDiff.render(old: Array(expected), new: actual, path: name)
            XCTFail("\(name) differs from its golden file:\n\(diff)", file: file, line: line)
        }
    }
}
