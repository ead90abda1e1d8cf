import Foundation
import TestSupport
import XCTest

/// The host lock over SSH on a sandbox host: a run whose command lasts longer than the
/// takeover window keeps its lock (the keeper runs on a channel of its own); a run that
/// dies loses it after the window; a login user who cannot write the lock's directory is
/// told so at once.
final class HostLockSSHTests: XCTestCase {
    var sandbox: Sandbox?
    var tmp: URL!
    let lockPath = "/var/lock/crucible"

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-lockssh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        sandbox = try Sandbox.start(name: "lockssh", hosts: [("c1", "rhel7")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: tmp)
    }

    func recipe(_ body: String, host: String = "c1") throws -> String {
        let path = tmp.appendingPathComponent("\(UUID().uuidString).crucible").path
        try "on \"\(host)\" {\n  \(body)\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func arguments(_ recipe: String, _ extra: [String] = []) throws -> [String] {
        ["run", recipe, "--ssh-config", try XCTUnwrap(sandbox).sshConfig, "--lock-stale-after", "3"] + extra
    }

    func lockExists() throws -> Bool {
        try XCTUnwrap(sandbox).exec("c1", "test -f \(lockPath)/lock/owner").status == 0
    }

    func waitForLock() throws {
        let end = Date(timeIntervalSinceNow: 20)
        while try !lockExists() && Date() < end { usleep(50_000) }
    }

    func testTheLockSurvivesACommandLongerThanTheTakeoverWindow() throws {
        let first = try BackgroundCrucible(arguments(recipe("run \"sleep 10\"")))
        try waitForLock()
        if try !lockExists() { return XCTFail("first run: \(first.wait(limit: 30).result.output)") }
        Thread.sleep(forTimeInterval: 5.5)  // well past the 3 s window, all of it inside one command
        let second = try CrucibleProcess.run(arguments(recipe("run \"true\""), ["--no-wait"]))
        XCTAssertEqual(second.status, 1, second.output)
        XCTAssertTrue(second.output.contains("the host is locked \(lockPath), held by crucible-sh run"), second.output)
        let (result, hung) = first.wait(limit: 60)
        XCTAssertFalse(hung)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(try lockExists(), "released at the end")
    }

    func testTheLockOfARunThatDiedIsTakenOverAfterTheWindow() throws {
        let first = try BackgroundCrucible(arguments(recipe("run \"sleep 30\"")))
        try waitForLock()
        first.kill()
        _ = first.wait(limit: 10)
        // Were its keeper still alive, this run would wait for the lock timeout (10 minutes).
        let (second, hung) = try BackgroundCrucible(arguments(recipe("run \"echo after\""))).wait(limit: 45)
        XCTAssertFalse(hung, "the dead run's keeper ended with its connection: \(second.output)")
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("waiting for the lock \(lockPath)"), "the dead run's lock was fresh: \(second.output)")
    }

    func testALoginUserWhoCannotWriteTheLockDirectoryIsToldAtOnce() throws {
        let sandbox = try XCTUnwrap(sandbox)
        // RHEL's /var/lock is root's (0755), and `ops` logs in with the sandbox's key.
        let setup = try sandbox.exec("c1", "chmod 0755 /run/lock && useradd -M -d / -s /bin/sh -p '*' ops")
        XCTAssertEqual(setup.status, 0, setup.output)
        let started = Date()
        let result = try CrucibleProcess.run(arguments(recipe("run \"true\"", host: "ops@c1")))
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "no waiting for a lock nobody holds")
        XCTAssertFalse(result.output.contains("waiting for the lock"), result.output)
        XCTAssertTrue(result.output.contains(
            "c1: cannot take the lock \(lockPath): ops cannot write /var/lock (mkdir: cannot create directory '\(lockPath)': Permission denied). "
                + "The lock (and most changes) need root: run with --become (sudo), or log in as root"), result.output)
    }
}
