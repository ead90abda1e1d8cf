import Foundation
import XCTest
import Interpreter
import TestSupport
@testable import SSH

/// The transport against sandbox hosts (`Sandbox`, scripts/sandbox): real network
/// namespaces with their own addresses, RHEL 6 and Fedora identities, reached through the
/// sandbox's ssh_config aliases, known_hosts and key, exactly as the CLI would reach them.
final class SSHSandboxTests: XCTestCase {
    private var sandbox: Sandbox!

    override func setUpWithError() throws {
        sandbox = try Sandbox.start(name: "ssht", hosts: [("old", "rhel6"), ("new", "fedora21")])
    }

    override func tearDown() {
        try? sandbox?.stop()
    }

    private var options: SSHOptions {
        SSHOptions(secrets: EnvironmentSecretSource(environment: [:]), sshConfigPath: sandbox.sshConfig,
                   useAgent: false, home: sandbox.directory + "/home")
    }

    func testAliasesReachEachHostWithItsOwnIdentityAndFiles() async throws {
        let old = SSHTransport(target: HostTarget(address: "old"), options: options)
        let new = SSHTransport(target: HostTarget(address: "new"), options: options)
        async let oldIdentity = old.run("hostname; test -e /etc/os-release && echo os-release; cat /etc/redhat-release")
        async let newIdentity = new.run("hostname; . /etc/os-release && echo $ID")
        let (oldResult, newResult) = try await (oldIdentity, newIdentity)
        XCTAssertTrue(oldResult.stdoutText.hasPrefix("old\n") && !oldResult.stdoutText.contains("os-release"), oldResult.stdoutText)
        XCTAssertTrue(oldResult.stdoutText.contains("release 6"), oldResult.stdoutText)
        XCTAssertEqual(newResult.stdoutText, "new\nfedora\n")

        let exports = Array("/var/lib/nova/instances *(rw,sync)\n".utf8)
        try await old.writeFile("/etc/exports", contents: exports, options: WriteOptions(backupPath: "/etc/exports.crucible-bak"))
        let oldHost = try sandbox.host(named: "old")
        XCTAssertEqual(try String(contentsOfFile: oldHost.etcPath("exports"), encoding: .utf8), "/var/lib/nova/instances *(rw,sync)\n")
        let newExports = try await new.readFile("/etc/exports")
        XCTAssertNotEqual(newExports, exports, "each host has its own /etc")
        XCTAssertEqual(old.stats().connections, 1)
    }

    func testStoppedSSHDMakesTheHostUnreachableByAddress() async throws {
        try sandbox.stopSSHD("old")
        let address = try sandbox.host(named: "old").address
        do {
            try await SSHTransport(target: HostTarget(address: "old"), options: options).connect()
            XCTFail("connected to a host without sshd")
        } catch TransportError.unreachable(let host, let reason) {
            XCTAssertEqual(host, "old")
            XCTAssertEqual(reason, "cannot connect to \(address) port 22: Connection refused")
        }
        try sandbox.startSSHD("old")
        let result = try await SSHTransport(target: HostTarget(address: "old"), options: options).run("hostname")
        XCTAssertEqual(result.stdoutText, "old\n")
    }
}
