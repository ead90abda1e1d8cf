import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Files over SSH: the one-exec atomic write and read. The server runs on this machine, so
/// the test checks the results directly on disk.
final class SSHFileTests: SSHTestCase {
    private var files: String { sshd.dir + "/files" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
    }

    func testAtomicWriteKeepsModeAndOwnerAndWritesTheBackup() async throws {
        let path = files + "/nova.conf"
        try "old contents\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o640)
        chown(path, 162, 163)
        let oldInode = try inode(path)
        let ssh = transport()
        try await ssh.writeFile(path, contents: Array("new contents\n".utf8), options: WriteOptions(backupPath: path + ".bak"))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.intValue, 162)
        XCTAssertEqual((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue, 163)
        XCTAssertNotEqual(try inode(path), oldInode, "a rename, not an in-place rewrite")
        XCTAssertEqual(try String(contentsOfFile: path + ".bak", encoding: .utf8), "old contents\n")
        XCTAssertEqual(ssh.stats().bytesWritten, 13)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: files).filter { $0.contains("crucible-tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testWriteCreatesANewFileWithItsModeAndReadFileReadsIt() async throws {
        let path = files + "/new file with spaces"
        let ssh = transport()
        let bytes: [UInt8] = Array(0...255)
        try await ssh.writeFile(path, contents: bytes, options: WriteOptions(modeIfNew: "0600"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let read = try await ssh.readFile(path)
        XCTAssertEqual(read, bytes)
        let missing = try await ssh.readFile(files + "/missing")
        XCTAssertNil(missing)
    }

    private func inode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }
}
