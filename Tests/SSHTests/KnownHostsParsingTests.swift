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

    private func file(_ lines: [String], host: String = "web1", port: Int = 22) -> KnownHostsFile {
        KnownHostsFile(path: "/k", bytes: Array(lines.joined(separator: "\n").utf8), host: host, port: port)
    }

    func testHMACSHA1MatchesTheStandardVectors() {
        let hex = { (bytes: [UInt8]?) in (bytes ?? []).map { String(format: "%02x", $0) }.joined() }
        // RFC 2202, test cases 2 and 6 (a key longer than a block).
        XCTAssertEqual(hex(KnownHostsPattern.hmacSHA1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        XCTAssertEqual(hex(KnownHostsPattern.hmacSHA1(key: [UInt8](repeating: 0xAA, count: 80),
                                                      message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
                       "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    /// Among many hashed lines, exactly the one for the host matches (how fast is measured in
    /// benchmarks/, not here).
    func testTenThousandHashedLinesFindExactlyTheHostsLine() throws {
        let salt = [UInt8](repeating: 3, count: 20)
        let lines = (0..<10_000).map { index in
            let hash = KnownHostsPattern.hmacSHA1(key: salt, message: Array("host\(index)".utf8)) ?? []
            return line("|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())")
        }
        let known = file(lines, host: "host5000")
        XCTAssertEqual(known.entries.map(\.line), [5001])
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

    func testHashedNamesMatchTheirOwnNameOnly() throws {
        let salt = [UInt8](repeating: 3, count: 20)
        let hash = try XCTUnwrap(KnownHostsPattern.hmacSHA1(key: salt, message: Array("[web1]:2222".utf8)))
        let field = "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())"
        XCTAssertEqual(file([line(field)], port: 2222).entries.count, 1)
        XCTAssertEqual(file([line(field)], host: "WEB1", port: 2222).entries.count, 1, "names are looked up in lowercase")
        XCTAssertEqual(file([line(field)]).entries.count, 0)
        XCTAssertEqual(file([line("|1|bad|hash")]).entries.count, 0, "a broken hashed field skips the line")
        XCTAssertEqual(file([line("|2|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())")], port: 2222).entries.count, 0)
    }

    func testLinesThatCannotBeParsedAreSkippedWithTheirNumbersKept() {
        var bytes = Array("# caf".utf8) + [0xE9, 0xFF, 0x0A]
        bytes += Array("web1 ssh-ed25519 ###\n".utf8)
        bytes += Array("web1 ecdsa-sha2-nistp256 \(Data(blob("ssh-ed25519")).base64EncodedString())\n".utf8)
        bytes += Array("@unknown web1 \(line("", "ssh-ed25519").dropFirst())\n".utf8)
        bytes += Array("web1\n\n   \t\n".utf8)
        bytes += [0xC0, 0xC1] + Array(" \(line("", "ssh-ed25519").dropFirst()) comment \u{E9}\r\n".utf8)
        bytes += Array("  \(line("web1"))  trailing comment\r\n".utf8)
        XCTAssertEqual(KnownHostsFile(path: "/k", bytes: bytes, host: "web1", port: 22).entries.map(\.line), [9])
        XCTAssertEqual(KnownHostsFile(path: "/k", bytes: bytes, host: "other", port: 22).entries.map(\.line), [], "line 8's host field is no name")
    }

    func testAFileThatCannotBeReadIsAnErrorNotAnEmptyFile() throws {
        let directory = NSTemporaryDirectory() + "crucible-known-hosts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        let path = directory + "/known_hosts"
        try line("web1").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        XCTAssertEqual(try KnownHostsStore().file(path: path, host: "web1", port: 22).entries.count, 1)
        XCTAssertEqual(try KnownHostsStore().file(path: directory + "/missing", host: "web1", port: 22).entries.count, 0,
                       "a missing file is empty")
        // Root reads anything: read as another user to get "permission denied".
        XCTAssertEqual(seteuid(65534), 0)
        let error: (any Error)?
        do {
            _ = try KnownHostsStore().file(path: path, host: "web1", port: 22)
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
        let known = { (lines: [String]) in self.file(lines).check(key: key, type: .ed25519) }
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
        let lines = [line("web1", "ecdsa-sha2-nistp256"), line("web2", "ssh-ed25519")]
        let web1 = try XCTUnwrap(file(lines).preferredMethods()).split(separator: ",")
        XCTAssertEqual(web1.prefix(2), ["ecdsa-sha2-nistp256", "ssh-ed25519"])
        let web2 = try XCTUnwrap(file(lines, host: "web2").preferredMethods()).split(separator: ",")
        XCTAssertEqual(web2.first, "ssh-ed25519")
        XCTAssertEqual(Set(web2).count, web2.count, "no algorithm twice")
    }
}
