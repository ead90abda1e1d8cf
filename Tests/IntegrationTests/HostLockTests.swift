import Foundation
import XCTest

/// Two runs on one host at once: the second waits for the first (saying so), or fails
/// clearly with --no-wait; a dead run's lock is taken over; no edit is lost.
final class HostLockTests: XCTestCase {
    var tmp: URL!
    /// The lock's private directory (`--lock-path`); the lock itself is `lock` in it.
    var lockPath: String { tmp.appendingPathComponent("crucible.lock").path }
    var lockItself: String { lockPath + "/lock" }

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    /// A recipe that holds the host for a while (until a release file appears) and adds a line.
    func recipe(_ line: String) throws -> String {
        let path = tmp.appendingPathComponent("\(line).crucible").path
        try """
            param dir: string
            on "local" {
              ensure-line "${dir}/shared" "\(line)" create: true
              run "i=0; while [ ! -e ${quote(dir)}/release ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done"
            }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func startInBackground(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CrucibleProcess.binary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        return (process, out)
    }

    func waitForLock() throws {
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: lockItself + "/owner") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: lockItself + "/owner"), "the first run took the lock")
    }

    func testSecondRunFailsClearlyWithNoWait() throws {
        let (first, _) = try startInBackground(["run", try recipe("first"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        try waitForLock()
        let second = try CrucibleProcess.run(["run", try recipe("second"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--no-wait"])
        XCTAssertEqual(second.status, 1, second.output)
        XCTAssertTrue(second.output.contains("the host is locked"), second.output)
        XCTAssertTrue(second.output.contains("pid \(first.processIdentifier)"), "names the holder: \(second.output)")
        FileManager.default.createFile(atPath: tmp.appendingPathComponent("release").path, contents: nil)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lockItself), "the lock is released at the end")
    }

    func testSecondRunWaitsAndNoEditIsLost() throws {
        let (first, _) = try startInBackground(["run", try recipe("first"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        try waitForLock()
        let (second, secondOut) = try startInBackground(["run", try recipe("second"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(second.isRunning, "the second run waits while the first holds the lock")
        let shared = try String(contentsOf: tmp.appendingPathComponent("shared"), encoding: .utf8)
        XCTAssertEqual(shared, "first\n", "the second run has not edited the host yet")
        FileManager.default.createFile(atPath: tmp.appendingPathComponent("release").path, contents: nil)
        first.waitUntilExit()
        second.waitUntilExit()
        let output = String(decoding: secondOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(second.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("waiting for the lock"), output)
        XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("shared"), encoding: .utf8), "first\nsecond\n")
    }

    /// The lock's directory must be a directory of root's (or this user's), mode 0700: in a
    /// world-writable /var/lock another user could have made it, or made it a symlink.
    func testALockDirectoryAnotherUserCouldHaveMadeIsRefused() throws {
        FileManager.default.createFile(atPath: tmp.appendingPathComponent("release").path, contents: nil)
        let elsewhere = tmp.appendingPathComponent("elsewhere").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: lockPath, withDestinationPath: elsewhere)
        let linked = try CrucibleProcess.run(["run", try recipe("linked"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        XCTAssertEqual(linked.status, 1, linked.output)
        XCTAssertTrue(linked.output.contains("refusing to use \(lockPath) for crucible's lock: it is not a directory"), linked.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [], "nothing was made where the link leads")

        try FileManager.default.removeItem(atPath: lockPath)
        try FileManager.default.createDirectory(atPath: lockPath, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let open = try CrucibleProcess.run(["run", try recipe("open"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        XCTAssertEqual(open.status, 1, open.output)
        XCTAssertTrue(open.output.contains("refusing to use \(lockPath) for crucible's lock: its mode is 777, not 700"), open.output)
        XCTAssertNil(FileManager.default.contents(atPath: tmp.appendingPathComponent("shared").path), "no edit was made")
    }

    func testStaleLockOfADeadRunIsTakenOver() throws {
        try FileManager.default.createDirectory(atPath: lockItself, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: lockPath)
        try "crucible-sh run by root@gone, pid 1".write(toFile: lockItself + "/owner", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)], ofItemAtPath: lockItself + "/owner")
        FileManager.default.createFile(atPath: tmp.appendingPathComponent("release").path, contents: nil)
        let result = try CrucibleProcess.run(["run", try recipe("after"), "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--no-wait"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lockItself))
    }
}
