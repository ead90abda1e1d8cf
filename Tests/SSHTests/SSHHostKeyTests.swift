import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Host key checking against known_hosts, with a server that has both an ECDSA and an
/// ed25519 host key (libssh2 1.10 would pick ECDSA on its own).
final class SSHHostKeyTests: SSHTestCase {
    private var emptyKnownHosts: String { sshd.dir + "/empty_known_hosts" }

    func testHostKnownOnlyByItsEd25519KeyIsAccepted() async throws {
        let lines = try String(contentsOfFile: sshd.knownHosts, encoding: .utf8)
        XCTAssertTrue(lines.contains("ssh-ed25519") && !lines.contains("ecdsa"))
        let result = try await transport().run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testHostKnownOnlyByItsECDSAKeyIsCheckedAgainstThatKey() async throws {
        let file = sshd.dir + "/ecdsa_known_hosts"
        let key = try String(contentsOfFile: sshd.hostKeyECDSA + ".pub", encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(sshd.port) \(key[0]) \(key[1])\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await transport(options(knownHosts: file)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testHashedEntryWithCommentsAndForeignLinesIsAccepted() async throws {
        let file = sshd.dir + "/hashed_known_hosts"
        let original = try String(contentsOfFile: sshd.knownHosts, encoding: .utf8)
        try ("# a comment\n@cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n" + original)
            .write(toFile: file, atomically: true, encoding: .utf8)
        try Shell.run("ssh-keygen -H -f \(file) && rm -f \(file).old")
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).contains("|1|"))
        let result = try await transport(options(knownHosts: file)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testUnknownHostIsRefusedWithItsFingerprintAndHowToAccept() async throws {
        try "".write(toFile: emptyKnownHosts, atomically: true, encoding: .utf8)
        let error = await transportError { try await self.transport(self.options(knownHosts: self.emptyKnownHosts)).connect() }
        guard case .hostKey(let host, let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(host, "127.0.0.1")
        // ed25519 is asked for first (as OpenSSH does), though the server also has ECDSA.
        let fingerprint = try sshd.fingerprint(ofHostKey: sshd.hostKeyEd25519)
        XCTAssertTrue(message.contains("ED25519 key \(fingerprint)"), "\(message) should show \(fingerprint)")
        XCTAssertTrue(message.contains("--accept-new-host-keys"), message)
        XCTAssertTrue(message.contains("ssh-keyscan -p \(sshd.port) -t ed25519 127.0.0.1 >> \(emptyKnownHosts)"), message)
        XCTAssertEqual(try String(contentsOfFile: emptyKnownHosts, encoding: .utf8), "", "nothing recorded")
    }

    func testAcceptNewRecordsTheKeyAndTheNextConnectionChecksIt() async throws {
        try "# mine\n".write(toFile: emptyKnownHosts, atomically: true, encoding: .utf8)
        let first = transport(options(knownHosts: emptyKnownHosts, acceptNew: true))
        _ = try await first.run("true")
        let lines = try String(contentsOfFile: emptyKnownHosts, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let hostKey = try String(contentsOfFile: sshd.hostKeyEd25519 + ".pub", encoding: .utf8).split(separator: " ")
        XCTAssertEqual(String(lines[1]), "[127.0.0.1]:\(sshd.port) ssh-ed25519 \(hostKey[1])")
        let again = try await transport(options(knownHosts: emptyKnownHosts)).run("echo ok")
        XCTAssertEqual(again.stdoutText, "ok\n")
    }

    func testAcceptNewFromManyHostsAtOnceKeepsEveryLine() async throws {
        let others = try (0..<3).map { try TestSSHD(name: "accept-\($0)-" + UUID().uuidString.prefix(6)) }
        defer {
            for other in others {
                other.stop()
                try? FileManager.default.removeItem(atPath: other.dir)
            }
        }
        let file = sshd.dir + "/shared_known_hosts"
        let servers = [sshd!] + others
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in servers {
                let target = HostTarget(user: "root", address: "127.0.0.1", port: server.port)
                let ssh = SSHTransport(target: target, options: options(knownHosts: file, acceptNew: true))
                group.addTask { try await ssh.connect() }
            }
            try await group.waitForAll()
        }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(Set(lines.map { $0.split(separator: " ")[0] }), Set(servers.map { "[127.0.0.1]:\($0.port)" }))
    }

    func testChangedKeyIsRefusedLoudlyEvenWithAcceptNew() async throws {
        let impostor = sshd.dir + "/impostor"
        try Shell.run("ssh-keygen -q -t ed25519 -N '' -f \(impostor)")
        let key = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ")
        let file = sshd.dir + "/changed_known_hosts"
        try "# first\notherhost ssh-ed25519 \(key[1])\n[127.0.0.1]:\(sshd.port) ssh-ed25519 \(key[1])\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let error = await transportError { try await self.transport(self.options(knownHosts: file, acceptNew: true)).connect() }
        guard case .hostKey(_, let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("WARNING: the host key of 127.0.0.1 port \(sshd.port) has changed"), message)
        XCTAssertTrue(message.contains("Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key was replaced"), message)
        XCTAssertTrue(message.contains("known_hosts line \(file):3 holds another ED25519 key"), message)
        XCTAssertTrue(message.contains("ssh-keygen -R '[127.0.0.1]:\(sshd.port)' -f \(file)"), message)
        XCTAssertTrue(message.contains(try sshd.fingerprint(ofHostKey: sshd.hostKeyEd25519)), message)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count, 3, "never rewritten")
    }
}
