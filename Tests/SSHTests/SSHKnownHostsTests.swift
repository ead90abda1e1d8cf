import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Hostile or unusual known_hosts files against a real sshd: bytes that are not UTF-8,
/// lines that cannot be parsed, a key of another type, `@revoked` and `@cert-authority`
/// markers, wildcard and negated host patterns. OpenSSH's rules are the reference.
final class SSHKnownHostsTests: SSHTestCase {
    /// `[127.0.0.1]:PORT`, how known_hosts names the test server.
    private var hostField: String { "[127.0.0.1]:\(sshd.port)" }

    /// "TYPE BASE64" of one of the server's host keys.
    private func hostKey(_ path: String) throws -> String {
        let fields = try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ")
        return "\(fields[0]) \(fields[1])"
    }

    /// "ssh-ed25519 BASE64" of a fresh key the server does not have.
    private func impostorKey() throws -> String {
        let path = sshd.dir + "/impostor-" + UUID().uuidString.prefix(6)
        try Shell.run("ssh-keygen -q -t ed25519 -N '' -f \(path)")
        return try hostKey(path)
    }

    /// Writes a known_hosts file from raw bytes.
    private func knownHosts(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = sshd.dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func knownHosts(_ name: String, _ text: String) throws -> String {
        try knownHosts(name, Array(text.utf8))
    }

    /// The message of the host key refusal a connection gets; fails the test on anything else.
    private func refusal(
        _ knownHosts: String, acceptNew: Bool = true, target: HostTarget? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) async -> String {
        let ssh = transport(options(knownHosts: knownHosts, acceptNew: acceptNew), target: target)
        let error = await transportError(file: file, line: line) { try await ssh.connect() }
        guard case .hostKey(_, let message)? = error else {
            XCTFail("expected a host key refusal, got \(String(describing: error))", file: file, line: line)
            return ""
        }
        return message
    }

    private func lines(_ path: String) throws -> Int {
        try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n")).count
    }

    // MARK: - Reading the file

    func testALatin1CommentDoesNotHideTheOtherLines() async throws {
        // "# café" in Latin-1: 0xE9 is not UTF-8. Every other line still counts.
        let comment: [UInt8] = Array("# caf".utf8) + [0xE9] + Array("\n".utf8)
        let good = try knownHosts("latin1_good", comment + Array("\(hostField) \(try hostKey(sshd.hostKeyEd25519))\n".utf8))
        let result = try await transport(options(knownHosts: good)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")

        let changed = try knownHosts("latin1_changed", comment + Array("\(hostField) \(try impostorKey())\n".utf8))
        let message = await refusal(changed)
        XCTAssertTrue(message.contains("has changed"), message)
        XCTAssertTrue(message.contains("\(changed):2"), message)
        XCTAssertEqual(try lines(changed), 2, "accept-new recorded nothing")
    }

    func testLinesThatCannotBeParsedAreSkippedAndTheOthersCount() async throws {
        let text = """
            \(hostField) ssh-ed25519 !!!not-base64!!!
            \(hostField)
            \(hostField) ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQABAAABAQ==
            @bogus-marker \(hostField) \(try impostorKey())
            just some words
            \t  \(hostField)   \(try hostKey(sshd.hostKeyEd25519))   a comment\r

            """
        let file = try knownHosts("mixed_known_hosts", text)
        let result = try await transport(options(knownHosts: file)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testAKnownHostsFileThatCannotBeReadIsAnErrorNamingIt() async throws {
        let directory = sshd.dir + "/known_hosts_dir"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let message = await refusal(directory)
        XCTAssertTrue(message.contains("cannot read the known_hosts file \(directory)"), message)
        XCTAssertTrue(message.contains("directory"), message)
    }

    func testAMissingKnownHostsFileIsEmpty() async throws {
        let missing = sshd.dir + "/no/such/known_hosts"
        let message = await refusal(missing, acceptNew: false)
        XCTAssertTrue(message.contains("is not known"), message)
        _ = try await transport(options(knownHosts: missing, acceptNew: true)).run("true")
        XCTAssertEqual(try lines(missing), 1)
    }

    func testTheConnectionsOfARunReadKnownHostsOnce() async throws {
        let file = try knownHosts("shared_known_hosts", "other \(try impostorKey())\n\(hostField) \(try hostKey(sshd.hostKeyEd25519))\n")
        let options = options(knownHosts: file)
        let transports = (0..<4).map { _ in transport(options) }
        try await withThrowingTaskGroup(of: String.self) { group in
            for ssh in transports { group.addTask { try await ssh.run("echo ok").stdoutText } }
            for try await output in group { XCTAssertEqual(output, "ok\n") }
        }
        XCTAssertEqual(options.knownHosts.reads(of: file), 1)
    }

    func testAKeyAcceptedInARunIsKnownToItsLaterConnections() async throws {
        let file = sshd.dir + "/accepted_known_hosts"
        let options = options(knownHosts: file, acceptNew: true)
        for _ in 0..<3 { _ = try await transport(options).run("true") }
        XCTAssertEqual(try lines(file), 1, "recorded once, then known")
        XCTAssertEqual(options.knownHosts.reads(of: file), 1)
        // And still as strict: the same run refuses another key for the host.
        try Data("\(hostField) \(try impostorKey())\n".utf8).write(to: URL(fileURLWithPath: file))
        let error = await transportError { try await self.transport(options).connect() }
        XCTAssertTrue(message(error).contains("has changed"), message(error))
    }

    // MARK: - Key types

    func testAHostKnownByEd25519ThatPresentsECDSAIsAChangedKeyEvenWithAcceptNew() async throws {
        // A server that no longer offers its ed25519 key (or an impostor with only ECDSA).
        let ecdsaOnly = try TestSSHD(name: "ecdsa-only-" + UUID().uuidString.prefix(6), extraConfig: "HostKeyAlgorithms ecdsa-sha2-nistp256\n")
        defer {
            ecdsaOnly.stop()
            try? FileManager.default.removeItem(atPath: ecdsaOnly.dir)
        }
        let target = HostTarget(user: "root", address: "127.0.0.1", port: ecdsaOnly.port)
        let file = ecdsaOnly.knownHosts
        let message = await refusal(file, target: target)
        XCTAssertTrue(message.hasPrefix("WARNING: the host key of 127.0.0.1 port \(ecdsaOnly.port) has changed"), message)
        XCTAssertTrue(message.contains("ECDSA key \(try ecdsaOnly.fingerprint(ofHostKey: ecdsaOnly.hostKeyECDSA))"), message)
        XCTAssertTrue(message.contains("\(file):1"), message)
        XCTAssertEqual(try lines(file), 1, "accept-new recorded nothing")
    }

    // MARK: - Markers

    func testARevokedKeyIsRefusedEvenWhenAnotherLineAcceptsIt() async throws {
        let key = try hostKey(sshd.hostKeyEd25519)
        let file = try knownHosts("revoked_known_hosts", "\(hostField) \(key)\n@revoked * \(key)\n")
        let message = await refusal(file)
        XCTAssertTrue(message.contains("REVOKED"), message)
        XCTAssertTrue(message.contains("\(file):2"), message)
        XCTAssertTrue(message.contains(try sshd.fingerprint(ofHostKey: sshd.hostKeyEd25519)), message)
    }

    func testARevokedLineForAnotherKeyChangesNothing() async throws {
        let file = try knownHosts("revoked_other", "@revoked * \(try impostorKey())\n\(hostField) \(try hostKey(sshd.hostKeyEd25519))\n")
        let result = try await transport(options(knownHosts: file)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testAHostKnownOnlyThroughACertificateAuthorityIsRefusedNotAddedByAcceptNew() async throws {
        let file = try knownHosts("ca_known_hosts", "@cert-authority [127.0.0.*]:\(sshd.port) \(try impostorKey())\n")
        let message = await refusal(file)
        XCTAssertTrue(message.contains("does not support host certificates"), message)
        XCTAssertTrue(message.contains("\(file):1"), message)
        XCTAssertTrue(message.contains("ssh-keyscan -p \(sshd.port) -t ed25519 127.0.0.1"), message)
        XCTAssertEqual(try lines(file), 1, "accept-new recorded nothing")
    }

    // MARK: - Host patterns

    func testWildcardPatternsMatchAsInOpenSSH() async throws {
        let key = try hostKey(sshd.hostKeyEd25519)
        for pattern in ["[127.0.0.*]:\(sshd.port)", "[127.0.0.?]:\(sshd.port)", "other,[*]:\(sshd.port)", "[127.0.0.1]:*", "*"] {
            let file = try knownHosts("wild_known_hosts", "\(pattern) \(key)\n")
            let result = try await transport(options(knownHosts: file)).run("echo ok")
            XCTAssertEqual(result.stdoutText, "ok\n", pattern)
        }
        let file = try knownHosts("wild_changed", "[127.0.0.*]:\(sshd.port) \(try impostorKey())\n")
        let message = await refusal(file)
        XCTAssertTrue(message.contains("has changed"), message)
    }

    func testANegatedPatternExcludesTheHostWhateverElseMatches() async throws {
        let impostor = try impostorKey()
        let excluded = try knownHosts("negated", "*,![127.0.0.1]:\(sshd.port) \(impostor)\n\(hostField) \(try hostKey(sshd.hostKeyEd25519))\n")
        let result = try await transport(options(knownHosts: excluded)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")

        let only = try knownHosts("negated_only", "![127.0.0.1]:\(sshd.port),[127.0.0.*]:*,* \(try hostKey(sshd.hostKeyEd25519))\n")
        let message = await refusal(only, acceptNew: false)
        XCTAssertTrue(message.contains("is not known"), message)
    }

    func testHashedEntriesMatchTheHostAndPort() async throws {
        let file = try knownHosts("hashed", "\(hostField) \(try impostorKey())\n")
        try Shell.run("ssh-keygen -H -f \(file) && rm -f \(file).old")
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("|1|"))
        let message = await refusal(file)
        XCTAssertTrue(message.contains("has changed") && message.contains("\(file):1"), message)
    }
}
