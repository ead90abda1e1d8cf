import Foundation
import XCTest
import Interpreter
@testable import SSH

/// ProxyJump and ProxyCommand against real sshd servers on 127.0.0.1: hosts behind one
/// jump host share its one connection, chains of jumps, both host keys checked, a jump
/// host that goes away, and a ProxyCommand (the OpenSSH client's `ssh -W`).
final class SSHJumpTests: XCTestCase {
    private var bastion: TestSSHD!
    private var middle: TestSSHD!
    private var target: TestSSHD!
    private var dir: String { bastion.dir + "/client" }
    private var knownHosts: String { dir + "/known_hosts" }

    override func setUpWithError() throws {
        bastion = try TestSSHD(name: "jump-bastion")
        middle = try TestSSHD(name: "jump-middle")
        target = try TestSSHD(name: "jump-target")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = try [bastion, middle, target].map { try String(contentsOfFile: $0!.knownHosts, encoding: .utf8) }
        try lines.joined().write(toFile: knownHosts, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        for server in [bastion, middle, target] {
            server?.stop()
            if let dir = server?.dir { try? FileManager.default.removeItem(atPath: dir) }
        }
    }

    /// An ssh config with the three servers as `bastion`, `middle` and `target`, plus `extra`.
    private func options(_ extra: String, knownHosts: String? = nil) throws -> SSHOptions {
        let config = dir + "/config"
        try """
            \(extra)
            Host bastion
              Port \(bastion.port)
            Host middle
              Port \(middle.port)
            Host target
              Port \(target.port)
            Host *
              HostName 127.0.0.1
              User root
              IdentityFile \(bastion.keys.ed25519)
              UserKnownHostsFile \(knownHosts ?? self.knownHosts)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return SSHOptions(secrets: EnvironmentSecretSource(environment: [:]), sshConfigPath: config, useAgent: false, home: dir)
    }

    private func error(_ body: () async throws -> Void) async -> TransportError? {
        do {
            try await body()
        } catch let error as TransportError {
            return error
        } catch {
            XCTFail("unexpected \(error)")
        }
        return nil
    }

    func testHostsBehindOneJumpHostShareItsOneConnection() async throws {
        let options = try options("""
            Host behind-1
              Port \(target.port)
              ProxyJump bastion
            Host behind-2
              Port \(middle.port)
              ProxyJump bastion
            """)
        let first = SSHTransport(target: HostTarget(address: "behind-1"), options: options)
        let second = SSHTransport(target: HostTarget(address: "behind-2"), options: options)
        async let one = first.run("echo one; echo $SSH_CONNECTION")
        async let two = second.run("echo two")
        let (a, b) = try await (one, two)
        XCTAssertTrue(a.stdoutText.hasPrefix("one\n127.0.0.1 "), a.stdoutText)
        XCTAssertEqual(b.stdoutText, "two\n")
        for index in 0..<20 {
            let result = try await first.run("printf %s \(index)")
            XCTAssertEqual(result.stdoutText, "\(index)")
        }
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        let echoed = try await second.run("wc -c", stdin: big, timeout: 30)
        XCTAssertEqual(echoed.stdoutText.trimmed, "\(big.count)", "3 MiB through the tunnel")
        XCTAssertEqual(bastion.acceptedPublicKeyLogins(), 1, "one connection to the jump host for both hosts")
        XCTAssertEqual(target.acceptedPublicKeyLogins(), 1)
        XCTAssertEqual(middle.acceptedPublicKeyLogins(), 1)
        XCTAssertEqual(first.stats().connections, 1)
        XCTAssertEqual(options.jumpHosts.openConnections, 1)
        await first.close()
        XCTAssertEqual(options.jumpHosts.openConnections, 1, "still used by behind-2")
        await second.close()
        XCTAssertEqual(options.jumpHosts.openConnections, 0, "closed with the last host behind it")
    }

    func testAChainOfTwoJumpHosts() async throws {
        let options = try options("Host far\n  Port \(target.port)\n  ProxyJump bastion,middle\n")
        let far = SSHTransport(target: HostTarget(address: "far"), options: options)
        let result = try await far.run("echo far")
        XCTAssertEqual(result.stdoutText, "far\n")
        XCTAssertEqual([bastion, middle, target].map { $0!.acceptedPublicKeyLogins() }, [1, 1, 1])
        XCTAssertEqual(options.jumpHosts.openConnections, 2)
        await far.close()
        // The outer jump host is let go by the inner one's relay thread as it ends.
        for _ in 0..<100 where options.jumpHosts.openConnections > 0 { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(options.jumpHosts.openConnections, 0)
    }

    func testTheJumpHostsKeyIsCheckedAndARefusalNamesIt() async throws {
        let targetOnly = dir + "/known_hosts_target_only"
        try String(contentsOfFile: target.knownHosts, encoding: .utf8).write(toFile: targetOnly, atomically: true, encoding: .utf8)
        let options = try options("Host behind\n  Port \(target.port)\n  ProxyJump bastion\n", knownHosts: targetOnly)
        let failure = await error { try await SSHTransport(target: HostTarget(address: "behind"), options: options).connect() }
        guard case .hostKey(let host, let message)? = failure else { return XCTFail("got \(String(describing: failure))") }
        XCTAssertEqual(host, "behind")
        XCTAssertTrue(message.hasPrefix("cannot reach behind through its jump host bastion: the host key of 127.0.0.1 port \(bastion.port) is not known"),
                      message)
        XCTAssertEqual(target.acceptedPublicKeyLogins(), 0)
    }

    func testTheInnerHostsKeyIsCheckedToo() async throws {
        let bastionOnly = dir + "/known_hosts_bastion_only"
        try String(contentsOfFile: bastion.knownHosts, encoding: .utf8).write(toFile: bastionOnly, atomically: true, encoding: .utf8)
        let options = try options("Host behind\n  Port \(target.port)\n  ProxyJump bastion\n", knownHosts: bastionOnly)
        let failure = await error { try await SSHTransport(target: HostTarget(address: "behind"), options: options).connect() }
        guard case .hostKey(_, let message)? = failure else { return XCTFail("got \(String(describing: failure))") }
        XCTAssertTrue(message.hasPrefix("the host key of 127.0.0.1 port \(target.port) is not known"), message)
    }

    func testATargetTheJumpHostCannotReachSaysSo() async throws {
        let closed = try TestSSHD.freePort()
        let options = try options("Host nowhere\n  Port \(closed)\n  ProxyJump bastion\n")
        let failure = await error { try await SSHTransport(target: HostTarget(address: "nowhere"), options: options).connect() }
        guard case .unreachable(_, let reason)? = failure else { return XCTFail("got \(String(describing: failure))") }
        XCTAssertTrue(reason.hasPrefix("bastion, the jump host, cannot open a connection to 127.0.0.1 port \(closed): it could not connect there"),
                      reason)
    }

    func testLosingTheJumpHostEndsTheHostsBehindIt() async throws {
        let options = try options("Host behind\n  Port \(target.port)\n  ProxyJump bastion\n")
        let behind = SSHTransport(target: HostTarget(address: "behind"), options: options)
        _ = try await behind.run("true")
        async let running = behind.run("sleep 5; echo done", stdin: nil, timeout: 20)
        try await Task.sleep(for: .milliseconds(500))
        bastion.stop()
        do {
            _ = try await running
            XCTFail("the command survived its jump host")
        } catch TransportError.disconnected(let host, _) {
            XCTAssertEqual(host, "behind")
        }
    }

    func testProxyCommandRelaysTheConnection() async throws {
        let options = try options("""
            Host piped
              Port \(target.port)
              ProxyCommand /usr/bin/ssh -F /dev/null -i \(bastion.keys.ed25519) -o UserKnownHostsFile=\(knownHosts) -o StrictHostKeyChecking=yes -o BatchMode=yes -p \(bastion.port) -W %h:%p root@127.0.0.1
            Host broken
              Port \(target.port)
              ProxyCommand /nonexistent/relay %h %p
            """)
        let piped = SSHTransport(target: HostTarget(address: "piped"), options: options)
        let result = try await piped.run("echo piped")
        XCTAssertEqual(result.stdoutText, "piped\n")
        XCTAssertEqual(bastion.acceptedPublicKeyLogins(), 1)
        await piped.close()

        let failure = await error { try await SSHTransport(target: HostTarget(address: "broken"), options: options).connect() }
        guard case .unreachable(_, let reason)? = failure else { return XCTFail("got \(String(describing: failure))") }
        XCTAssertTrue(reason.contains("ProxyCommand `/nonexistent/relay 127.0.0.1 \(target.port)` exited with status 127"), reason)
        XCTAssertTrue(reason.contains("not found"), reason)
    }
}
