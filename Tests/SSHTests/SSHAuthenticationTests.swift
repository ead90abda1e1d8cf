import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Logging in with key files; every failure says what was tried.
final class SSHAuthenticationTests: SSHTestCase {
    func testECDSAKeyLogsIn() async throws {
        let result = try await transport(options(identityFiles: [sshd.keys.ecdsa])).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testEncryptedKeyUsesThePassphraseFromTheSecretSource() async throws {
        let secrets = EnvironmentSecretSource(environment: [EnvironmentSecretSource.passphraseVariable: ClientKeys.passphrase])
        let result = try await transport(options(identityFiles: [sshd.keys.encrypted], secrets: secrets)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }

    func testEncryptedKeyWithoutPassphraseSaysSo() async throws {
        let error = await transportError { try await self.transport(self.options(identityFiles: [self.sshd.keys.encrypted])).connect() }
        XCTAssertTrue(message(error).contains("key \(sshd.keys.encrypted) (encrypted, and no passphrase given"), message(error))
    }

    func testUnknownKeyIsRefusedWithAClearMessage() async throws {
        let missing = sshd.dir + "/no_such_key"
        let error = await transportError {
            try await self.transport(self.options(identityFiles: [self.sshd.keys.stranger, missing])).connect()
        }
        guard case .authentication(let host, let text)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(host, "127.0.0.1")
        XCTAssertTrue(text.contains("could not log in as root on 127.0.0.1 port \(sshd.port)"), text)
        XCTAssertTrue(text.contains("key \(sshd.keys.stranger) (refused by the server"), text)
        XCTAssertTrue(text.contains("key \(missing) (not found"), text)
        XCTAssertTrue(text.contains("ssh-agent"), text)
        XCTAssertTrue(text.contains("password (not offered by the server)"), text)
    }

    func testRSAKeyFailureExplainsWhy() async throws {
        let error = await transportError { try await self.transport(self.options(identityFiles: [self.sshd.keys.rsa])).connect() }
        guard case .authentication(_, let text)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(text.contains("key \(sshd.keys.rsa) (refused: it is an RSA key"), text)
        XCTAssertTrue(text.contains("SHA-1"), text)
        XCTAssertTrue(text.contains("ed25519"), text)
    }

    func testDefaultKeyInHomeIsTried() async throws {
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sshd.keys.ecdsa, toPath: home + "/.ssh/id_ecdsa")
        let result = try await transport(options(identityFiles: [])).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
    }
}

/// Password logins against a server with PasswordAuthentication yes.
final class SSHPasswordTests: SSHTestCase {
    override var passwordAuthentication: Bool { true }

    func testPasswordFromTheEnvironmentVariableLogsInAndStaysOutOfEveryCommandLine() async throws {
        setenv(EnvironmentSecretSource.passwordVariable, TestSSHD.password, 1)
        defer { unsetenv(EnvironmentSecretSource.passwordVariable) }
        let ssh = transport(options(identityFiles: [], secrets: EnvironmentSecretSource()))
        let result = try await ssh.run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
        let log = try String(contentsOfFile: sshd.log, encoding: .utf8)
        XCTAssertTrue(log.contains("Accepted password for root"), log)
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") where Int(entry) != nil {
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            XCTAssertFalse(String(decoding: cmdline, as: UTF8.self).contains(TestSSHD.password), "password in the argv of pid \(entry)")
        }
    }

    func testWrongPasswordIsRefusedWithoutEchoingIt() async throws {
        let wrong = "definitely-wrong-pw"
        let secrets = EnvironmentSecretSource(environment: [EnvironmentSecretSource.passwordVariable: wrong])
        let error = await transportError { try await self.transport(self.options(identityFiles: [], secrets: secrets)).connect() }
        guard case .authentication(_, let text)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(text.contains("password (refused)"), text)
        XCTAssertFalse(text.contains(wrong))
    }

    func testNoPasswordGivenSaysWhereToPutIt() async throws {
        let error = await transportError { try await self.transport(self.options(identityFiles: [])).connect() }
        XCTAssertTrue(message(error).contains("CRUCIBLE_SSH_PASSWORD"), message(error))
    }
}

/// Keys from a real ssh-agent come first.
final class SSHAgentTests: SSHTestCase {
    func testAgentKeyIsTriedBeforeKeyFiles() async throws {
        let socket = sshd.dir + "/agent.sock"
        let agent = try Shell.spawn(["/usr/bin/ssh-agent", "-D", "-a", socket])
        defer {
            kill(agent, SIGKILL)
            var status: Int32 = 0
            waitpid(agent, &status, 0)
        }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(20_000) }
        try Shell.run("SSH_AUTH_SOCK=\(socket) ssh-add \(sshd.keys.ecdsa)")
        setenv("SSH_AUTH_SOCK", socket, 1)
        defer { unsetenv("SSH_AUTH_SOCK") }
        var settings = options(identityFiles: [sshd.keys.ed25519])
        settings.useAgent = true
        let result = try await transport(settings).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
        let ecdsa = try String(Shell.run("ssh-keygen -l -f \(sshd.keys.ecdsa).pub").split(separator: " ")[1])
        let log = try String(contentsOfFile: sshd.log, encoding: .utf8)
        XCTAssertTrue(log.contains("Accepted publickey for root from 127.0.0.1"), log)
        XCTAssertTrue(log.contains("ECDSA \(ecdsa)"), "the agent's ECDSA key logged in, not the ed25519 file: \(log)")
    }
}

/// keyboard-interactive logins (PAM's password prompt) against a server that offers no
/// plain `password` method: the same password answers the prompt.
final class SSHKeyboardInteractiveTests: SSHTestCase {
    override var extraConfig: String { "UsePAM yes\nKbdInteractiveAuthentication yes\n" }

    func testThePasswordAnswersThePasswordPrompt() async throws {
        let secrets = EnvironmentSecretSource(environment: [EnvironmentSecretSource.passwordVariable: TestSSHD.password])
        let result = try await transport(options(identityFiles: [], secrets: secrets)).run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
        let log = try String(contentsOfFile: sshd.log, encoding: .utf8)
        XCTAssertTrue(log.contains("Accepted keyboard-interactive/pam for root"), log)
    }

    func testAWrongPasswordIsRefusedAndNoPasswordSaysWhereToPutIt() async throws {
        let wrong = EnvironmentSecretSource(environment: [EnvironmentSecretSource.passwordVariable: "not-the-password"])
        let refused = await transportError { try await self.transport(self.options(identityFiles: [], secrets: wrong)).connect() }
        XCTAssertTrue(message(refused).contains("keyboard-interactive (password refused)"), message(refused))
        XCTAssertTrue(message(refused).contains("The server accepts: publickey,keyboard-interactive") ||
                      message(refused).contains("The server accepts: publickey, keyboard-interactive"), message(refused))
        let none = await transportError { try await self.transport(self.options(identityFiles: [])).connect() }
        XCTAssertTrue(message(none).contains("keyboard-interactive (no password given: set CRUCIBLE_SSH_PASSWORD"), message(none))
    }
}

/// A key exchange that cannot work says what each side offered and what to do.
final class SSHKeyExchangeTests: XCTestCase {
    func testAnRSAOnlyServerThatRefusesSHA1SignaturesSaysWhatToDo() async throws {
        let sshd = try TestSSHD(name: "rsa-only-" + UUID().uuidString.prefix(6), hostKeyTypes: ["rsa"])
        defer { sshd.stop(); try? FileManager.default.removeItem(atPath: sshd.dir) }
        let options = SSHOptions(identityFiles: [sshd.keys.ed25519], knownHostsFile: sshd.knownHosts,
                                 secrets: EnvironmentSecretSource(environment: [:]), useAgent: false, home: sshd.dir)
        let target = HostTarget(user: "root", address: "127.0.0.1", port: sshd.port)
        do {
            try await SSHTransport(target: target, options: options).connect()
            XCTFail("connected")
        } catch TransportError.unreachable(_, let reason) {
            XCTAssertTrue(reason.hasPrefix("the SSH handshake with 127.0.0.1 port \(sshd.port) failed: "), reason)
            let said = [
                "(LIBSSH2_ERROR_KEX_FAILURE): no host key type in common. The server offers rsa-sha2-512, rsa-sha2-256; crucible (libssh2 1.10) offers ",
                "ssh-ed25519", "The server's only host key is RSA and it refuses SHA-1 (ssh-rsa) signatures",
                "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key", "HostKeyAlgorithms +ssh-rsa",
            ]
            for part in said { XCTAssertTrue(reason.contains(part), "\(part) in: \(reason)") }
        }
    }

    func testTheSameServerAllowingSSHRSAIsReached() async throws {
        let sshd = try TestSSHD(name: "rsa-sha1-" + UUID().uuidString.prefix(6), extraConfig: "HostKeyAlgorithms +ssh-rsa\n",
                                hostKeyTypes: ["rsa"])
        defer { sshd.stop(); try? FileManager.default.removeItem(atPath: sshd.dir) }
        let options = SSHOptions(identityFiles: [sshd.keys.ed25519], knownHostsFile: sshd.dir + "/fresh_known_hosts",
                                 acceptNewHostKeys: true, secrets: EnvironmentSecretSource(environment: [:]), useAgent: false,
                                 home: sshd.dir)
        let result = try await SSHTransport(target: HostTarget(user: "root", address: "127.0.0.1", port: sshd.port), options: options)
            .run("echo ok")
        XCTAssertEqual(result.stdoutText, "ok\n")
        XCTAssertTrue(try String(contentsOfFile: sshd.dir + "/fresh_known_hosts", encoding: .utf8).contains(" ssh-rsa "))
    }
}
