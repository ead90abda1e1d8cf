import Foundation
import XCTest
import Interpreter
@testable import SSH

/// The connection's life: one per host, shared by every exec, concurrent hosts, lost
/// servers, closed ports, ssh config aliases.
final class SSHConnectionTests: SSHTestCase {
    func testOneConnectionServesManyExecsAndConcurrentConnects() async throws {
        let ssh = transport()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await ssh.connect() } }
            try await group.waitForAll()
        }
        for index in 0..<20 {
            let result = try await ssh.run("echo \(index)")
            XCTAssertEqual(result.stdoutText, "\(index)\n")
        }
        try await ssh.writeFile(sshd.dir + "/f", contents: [65], options: WriteOptions())
        _ = try await ssh.readFile(sshd.dir + "/f")
        XCTAssertEqual(sshd.acceptedPublicKeyLogins(), 1)
        let stats = ssh.stats()
        XCTAssertEqual(stats.connections, 1)
        XCTAssertEqual(stats.execChannels, 22)
        _ = try await transport().run("true")
        XCTAssertEqual(sshd.acceptedPublicKeyLogins(), 2, "a second transport is a second login")
    }

    func testThirtyTwoTransportsProgressAtOnce() async throws {
        // Each command waits until all 32 have started (a shared line count), so they can
        // only all succeed if all 32 run at the same time; a stuck one gives up after 60 s.
        let barrier = sshd.dir + "/barrier"
        let command = """
        echo x >> \(barrier); i=0
        while [ "$(wc -l < \(barrier))" -lt 32 ]; do sleep 0.1; i=$((i+1)); [ $i -gt 600 ] && exit 9; done
        echo through
        """
        let transports = (0..<32).map { _ in transport() }
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for ssh in transports { group.addTask { try await ssh.run(command) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 32)
        XCTAssertEqual(results.filter { $0.status == 0 && $0.stdoutText == "through\n" }.count, 32)
    }

    func testServerKilledMidCommandIsDisconnected() async throws {
        let ssh = transport()
        let started = sshd.dir + "/started"
        let running = Task { try await ssh.run("touch \(started); sleep 60") }
        while !FileManager.default.fileExists(atPath: started) { try await Task.sleep(nanoseconds: 20_000_000) }
        sshd.stop()
        let error = await transportError { _ = try await running.value }
        guard case .disconnected(let host, _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(host, "127.0.0.1")
        XCTAssertTrue(error!.isFatalForHost)
        let next = await transportError { _ = try await ssh.run("true") }
        guard case .disconnected? = next else { return XCTFail("the host stays failed, got \(String(describing: next))") }
        let fresh = await transportError { try await self.transport().connect() }
        guard case .unreachable(_, let reason)? = fresh else { return XCTFail("got \(String(describing: fresh))") }
        XCTAssertTrue(reason.contains("refused"), reason)
    }

    func testServerThatFallsSilentIsDisconnectedAfterUnansweredKeepalives() async throws {
        var settings = options()
        settings.keepaliveInterval = 2
        let ssh = transport(settings)
        let started = sshd.dir + "/started"
        let running = Task { try await ssh.run("touch \(started); sleep 120") }
        while !FileManager.default.fileExists(atPath: started) { try await Task.sleep(nanoseconds: 20_000_000) }
        // Frozen, not killed: the kernel keeps the TCP connection open, nothing answers.
        let frozen = TestSSHD.descendants(of: sshd.pid)
        for pid in frozen { kill(pid, SIGSTOP) }
        let error = await transportError { _ = try await running.value }
        guard case .disconnected(_, let reason)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(reason.contains("keepalives"), reason)
    }

    func testClosedPortIsUnreachableAtOnceWithAddressAndPort() async throws {
        let port = try TestSSHD.freePort()
        let target = HostTarget(user: "root", address: "127.0.0.1", port: port)
        // A long connect timeout: only a refusal (not a timeout) can end this test.
        let error = await transportError { try await self.transport(self.options(connectTimeout: 600), target: target).connect() }
        guard case .unreachable(_, let reason)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(reason, "cannot connect to 127.0.0.1 port \(port): Connection refused")
    }

    func testKeepalivesAreSentWhileACommandRuns() async throws {
        let server = try TestSSHD(name: "keepalive-" + UUID().uuidString.prefix(6), logLevel: "DEBUG")
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: server.dir)
        }
        var settings = options(knownHosts: server.knownHosts)
        settings.keepaliveInterval = 2
        let ssh = SSHTransport(target: HostTarget(user: "root", address: "127.0.0.1", port: server.port), options: settings)
        let result = try await ssh.run("sleep 5; echo done")
        XCTAssertEqual(result.stdoutText, "done\n")
        let log = try String(contentsOfFile: server.log, encoding: .utf8)
        let keepalives = log.split(whereSeparator: \.isNewline).filter { $0.contains("global_request: rtype keepalive@") }
        XCTAssertGreaterThanOrEqual(keepalives.count, 2, "sshd saw \(keepalives.count) keepalives in a 5 s command: \(log)")
    }

    func testServerThatNeverSpeaksIsUnreachableAfterTheConnectTimeout() async throws {
        // A socket that listens but never answers: TCP connects, no SSH banner ever comes.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        XCTAssertTrue(listening)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let target = HostTarget(user: "root", address: "127.0.0.1", port: port)
        let error = await transportError { try await self.transport(self.options(connectTimeout: 1), target: target).connect() }
        guard case .unreachable(_, let reason)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(reason, "no SSH answer from 127.0.0.1 port \(port) within 1 s")
    }

    func testSSHConfigAliasWorksLikeForSSH() async throws {
        let config = sshd.dir + "/ssh_config"
        try """
        # test config
        Host other
            Port 1
        Host crucible-test-*  !crucible-test-excluded
            HostName 127.0.0.1
            Port \(sshd.port)
        Host *
            User root
            IdentityFile \(sshd.keys.ed25519)
            UserKnownHostsFile \(sshd.knownHosts)
            Port 2
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let options = SSHOptions(secrets: EnvironmentSecretSource(environment: [:]), sshConfigPath: config, useAgent: false, home: home)
        let ssh = SSHTransport(target: HostTarget(address: "crucible-test-web1"), options: options)
        let result = try await ssh.run("echo $USER")
        XCTAssertEqual(result.stdoutText, "root\n")
        XCTAssertEqual(ssh.endpoint?.address, "127.0.0.1")
        XCTAssertEqual(ssh.endpoint?.port, sshd.port)
    }
}
