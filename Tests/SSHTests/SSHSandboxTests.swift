import Foundation
import XCTest
import Interpreter
@testable import SSH

/// The transport against sandbox hosts (`scripts/sandbox`): real network namespaces with
/// their own addresses, RHEL 6 and Fedora identities, reached through the sandbox's
/// ssh_config aliases, known_hosts and key, exactly as the CLI would reach them.
final class SSHSandboxTests: XCTestCase {
    private struct Hosts: Decodable {
        struct Host: Decodable {
            let name: String
            let address: String
            let etc: String
        }
        let ssh_config: String
        let hosts: [Host]
    }

    private let sandboxName = "sshsb\(getpid() % 1000)"
    private var dir: String { "/tmp/crucible-sb/\(sandboxName)" }
    private var hosts: Hosts!

    override func setUpWithError() throws {
        try sandbox("up", sandboxName, dir, "old=rhel6", "new=fedora21")
        hosts = try JSONDecoder().decode(Hosts.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/hosts.json")))
    }

    override func tearDown() {
        try? sandbox("down", sandboxName, dir)
    }

    func testAliasesReachEachHostWithItsOwnIdentityAndFiles() async throws {
        let options = SSHOptions(secrets: EnvironmentSecretSource(environment: [:]), sshConfigPath: hosts.ssh_config,
                                 useAgent: false, home: dir + "/home")
        let old = SSHTransport(target: HostTarget(address: "old"), options: options)
        let new = SSHTransport(target: HostTarget(address: "new"), options: options)
        async let oldIdentity = old.run("hostname; test -e /etc/os-release && echo os-release; cat /etc/redhat-release")
        async let newIdentity = new.run("hostname; . /etc/os-release && echo $ID")
        let (oldResult, newResult) = try await (oldIdentity, newIdentity)
        XCTAssertTrue(oldResult.stdoutText.hasPrefix("old\n") && !oldResult.stdoutText.contains("os-release"), oldResult.stdoutText)
        XCTAssertTrue(oldResult.stdoutText.contains("release 6"), oldResult.stdoutText)
        XCTAssertEqual(newResult.stdoutText, "new\nfedora\n")

        try await old.writeFile("/etc/exports", contents: Array("/var/lib/nova/instances *(rw,sync)\n".utf8),
                                options: WriteOptions(backupPath: "/etc/exports.crucible-bak"))
        let etc = try XCTUnwrap(hosts.hosts.first { $0.name == "old" }?.etc)
        XCTAssertEqual(try String(contentsOfFile: etc + "/exports", encoding: .utf8), "/var/lib/nova/instances *(rw,sync)\n")
        let newExports = try await new.readFile("/etc/exports")
        XCTAssertNotEqual(newExports, Array("/var/lib/nova/instances *(rw,sync)\n".utf8), "each host has its own /etc")
        XCTAssertEqual(old.stats().connections, 1)
    }

    func testStoppedSSHDMakesTheHostUnreachableByAddress() async throws {
        try sandbox("stop-sshd", dir, "old")
        let address = try XCTUnwrap(hosts.hosts.first { $0.name == "old" }?.address)
        let options = SSHOptions(secrets: EnvironmentSecretSource(environment: [:]), sshConfigPath: hosts.ssh_config,
                                 useAgent: false, home: dir + "/home")
        do {
            try await SSHTransport(target: HostTarget(address: "old"), options: options).connect()
            XCTFail("connected to a host without sshd")
        } catch TransportError.unreachable(let host, let reason) {
            XCTAssertEqual(host, "old")
            XCTAssertEqual(reason, "cannot connect to \(address) port 22: Connection refused")
        }
    }

    private func sandbox(_ arguments: String...) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try Shell.run(ShellQuote.command([root.path + "/scripts/sandbox"] + arguments))
    }
}
