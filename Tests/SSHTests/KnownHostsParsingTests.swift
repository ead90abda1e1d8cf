import Foundation
import XCTest
@testable import SSH

/// The known_hosts parser and matcher without a server: line syntax, OpenSSH's pattern
/// rules, hashed names, and the decision for a presented key.
final class KnownHostsParsingTests: XCTestCase {
    /// A syntactically valid key blob of `name` (the parser checks the name only).
    private func blob(_ name: String, _ filler: UInt8 = 7) -> [UInt8] {
        let bytes = Array(name.utf8)
        return [0, 0, 0, UInt8(bytes.count)] + bytes + [0, 0, 0, 4, filler, filler, filler, filler]
    }

    private func line(_ prefix: String, _ name: String = "ssh-ed25519", _ filler: UInt8 = 7) -> String {
        "\(prefix) \(name) \(Data(blob(name, filler)).base64EncodedString())"
    }

    private func file(_ lines: [String]) -> KnownHostsFile {
        KnownHostsFile(path: "/k", bytes: Array(lines.joined(separator: "\n").utf8))
    }

    func testSHA1AndHMACMatchTheStandardVectors() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(HMACSHA1.sha1(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(HMACSHA1.sha1([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hex(HMACSHA1.sha1(Array(String(repeating: "a", count: 1000).utf8))), "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        // RFC 2202, test cases 2 and 6 (a key longer than a block).
        XCTAssertEqual(hex(HMACSHA1.authenticationCode(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        XCTAssertEqual(hex(HMACSHA1.authenticationCode(key: [UInt8](repeating: 0xAA, count: 80),
                                                       message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
                       "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    func testPatternsMatchAsOpenSSHDoes() {
        let cases: [(String, String, Bool)] = [
            ("web1", "web1", true), ("WEB1", "web1", true), ("web1", "WEB1", true),
            ("web*", "web12", true), ("web?", "web12", false), ("web??", "web12", true),
            ("*.example.com", "a.b.example.com", true), ("*.example.com", "example.com", false),
            ("a,b,web1", "web1", true), ("*,!web1", "web1", false), ("!web1,*", "web1", false),
            ("*,!web2", "web1", true), ("!web1", "web1", false), ("!web2", "web1", false),
            ("[web1]:2222", "[web1]:2222", true), ("web1", "[web1]:2222", false),
            ("[web*]:*", "[web1]:2222", true), ("*a*a*a*a*a*b", String(repeating: "a", count: 60), false),
        ]
        for (field, name, expected) in cases {
            let pattern = KnownHostsPattern(Array(field.utf8)[...])
            XCTAssertEqual(pattern?.matches(name), expected, "\(field) against \(name)")
        }
    }

    func testHashedNamesMatchTheirOwnNameOnly() {
        let salt = [UInt8](repeating: 3, count: 20)
        let hash = HMACSHA1.authenticationCode(key: salt, message: Array("[web1]:2222".utf8))
        let field = "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())"
        let known = file([line(field)])
        XCTAssertEqual(known.entries(host: "web1", port: 2222).count, 1)
        XCTAssertEqual(known.entries(host: "WEB1", port: 2222).count, 1, "names are looked up in lowercase")
        XCTAssertEqual(known.entries(host: "web1", port: 22).count, 0)
        XCTAssertEqual(file([line("|1|bad|hash")]).entries.count, 0, "a broken hashed field skips the line")
        XCTAssertEqual(file([line("|2|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())")]).entries.count, 0)
    }

    func testLinesThatCannotBeParsedAreSkippedWithTheirNumbersKept() {
        var bytes = Array("# caf".utf8) + [0xE9, 0xFF, 0x0A]
        bytes += Array("web1 ssh-ed25519 ###\n".utf8)
        bytes += Array("web1 ecdsa-sha2-nistp256 \(Data(blob("ssh-ed25519")).base64EncodedString())\n".utf8)
        bytes += Array("@unknown web1 \(line("", "ssh-ed25519").dropFirst())\n".utf8)
        bytes += Array("web1\n\n   \t\n".utf8)
        bytes += [0xC0, 0xC1] + Array(" \(line("", "ssh-ed25519").dropFirst()) comment \u{E9}\r\n".utf8)
        bytes += Array("  \(line("web1"))  trailing comment\r\n".utf8)
        let known = KnownHostsFile(path: "/k", bytes: bytes)
        XCTAssertEqual(known.entries.map(\.line), [8, 9])
        XCTAssertEqual(known.entries(host: "web1", port: 22).map(\.line), [9])
    }

    func testAFileThatCannotBeReadIsAnErrorNotAnEmptyFile() throws {
        let directory = NSTemporaryDirectory() + "crucible-known-hosts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        let path = directory + "/known_hosts"
        try line("web1").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        XCTAssertEqual(try KnownHostsFile(path: path).entries.count, 1)
        XCTAssertEqual(try KnownHostsFile(path: directory + "/missing").entries.count, 0, "a missing file is empty")
        // Root reads anything: read as another user to get "permission denied".
        XCTAssertEqual(seteuid(65534), 0)
        let error: (any Error)?
        do {
            _ = try KnownHostsFile(path: path)
            error = nil
        } catch let caught {
            error = caught
        }
        XCTAssertEqual(seteuid(0), 0)
        guard case .hostKey(let message)? = error as? ConnectFailure else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("cannot read the known_hosts file \(path): Permission denied"), message)
    }

    func testTheDecisionFollowsOpenSSH() {
        let key = blob("ssh-ed25519", 1)
        let known = { (lines: [String]) in self.file(lines).check(host: "web1", port: 22, key: key, type: .ed25519) }
        XCTAssertEqual(known([line("web1", "ssh-ed25519", 1)]), .match)
        XCTAssertEqual(known([line("other", "ssh-ed25519", 2)]), .notFound)
        XCTAssertEqual(known([line("x", "ecdsa-sha2-nistp256", 3), line("web1", "ssh-ed25519", 2)]),
                       .changed(line: 2, knownType: "ssh-ed25519"))
        XCTAssertEqual(known([line("web1", "ecdsa-sha2-nistp256", 3)]), .changed(line: 1, knownType: "ecdsa-sha2-nistp256"))
        XCTAssertEqual(known([line("web1", "ecdsa-sha2-nistp256", 3), line("web1", "ssh-ed25519", 1)]), .match)
        XCTAssertEqual(known([line("web1", "ssh-ed25519", 1), line("@revoked *", "ssh-ed25519", 1)]), .revoked(line: 2))
        XCTAssertEqual(known([line("@revoked *", "ssh-ed25519", 2), line("web1", "ssh-ed25519", 1)]), .match)
        XCTAssertEqual(known([line("@revoked web1", "ssh-ed25519", 1)]), .revoked(line: 1))
        XCTAssertEqual(known([line("@cert-authority *.example,web1", "ssh-ed25519", 2)]), .certificateAuthorityOnly(line: 1))
        XCTAssertEqual(known([line("@cert-authority web1", "ssh-ed25519", 2), line("web1", "ssh-ed25519", 1)]), .match)
        XCTAssertEqual(known([line("@cert-authority web1", "ssh-ed25519", 2), line("web1", "ssh-ed25519", 2)]),
                       .changed(line: 2, knownType: "ssh-ed25519"))
    }

    func testTheHandshakeAsksForTheKnownTypesFirst() throws {
        let known = file([line("web1", "ecdsa-sha2-nistp256"), line("web2", "ssh-ed25519")])
        let web1 = try XCTUnwrap(known.preferredMethods(host: "web1", port: 22)).split(separator: ",")
        XCTAssertEqual(web1.prefix(2), ["ecdsa-sha2-nistp256", "ssh-ed25519"])
        let web2 = try XCTUnwrap(known.preferredMethods(host: "web2", port: 22)).split(separator: ",")
        XCTAssertEqual(web2.first, "ssh-ed25519")
        XCTAssertEqual(Set(web2).count, web2.count, "no algorithm twice")
    }
}
