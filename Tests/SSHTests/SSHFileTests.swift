import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Files over SSH: the one-exec atomic write and read, and the SFTP layer. The server runs
/// on this machine, so the test checks the results directly on disk.
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

    func testSFTPWriteAndRead() async throws {
        let ssh = transport()
        let path = files + "/sftp.bin"
        let bytes = (0..<(3 * 1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await ssh.sftpWrite(path, bytes, mode: 0o600)
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        let read = try await ssh.sftpRead(path)
        XCTAssertTrue(read == bytes)
        let missing = try await ssh.sftpRead(files + "/missing")
        XCTAssertNil(missing)
        XCTAssertEqual(ssh.stats().sftpOperations, 3)
    }

    func testSFTPWriteReplacesAnExistingFileAtomically() async throws {
        let ssh = transport()
        let path = files + "/replace.txt"
        try "first\n".write(toFile: path, atomically: false, encoding: .utf8)
        let before = try inode(path)
        try await ssh.sftpWrite(path, Array("second\n".utf8), mode: 0o644)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second\n")
        XCTAssertNotEqual(try inode(path), before, "renamed over, never truncated in place")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: files).filter { $0.contains("crucible-sftp") }
        XCTAssertEqual(leftovers, [])
    }

    func testSFTPWriteIntoAMissingDirectoryFails() async throws {
        let error = await transportError { try await self.transport().sftpWrite(self.files + "/no/such/dir/f", [1]) }
        guard case .io(_, let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.contains("SFTP: \(files)/no/such/dir/f: no such"), message)
    }

    private func inode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }
}
