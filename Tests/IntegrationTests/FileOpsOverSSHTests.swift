import Foundation
import XCTest
import Interpreter
import SSH
import Stdlib
import TestSupport

/// The live-migration file edits over real SSH, on sandbox hosts (scripts/sandbox: network
/// namespaces, sshd, /etc an overlay of the stock fixture files): the remote files end up
/// byte for byte as the golden files of the local tests, a second run changes nothing,
/// check mode writes nothing, and backups land next to the files.
final class FileOpsOverSSHTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StdlibTests/Golden")

    func testLiveMigrationEditsOverSSHMatchTheLocalGoldenFiles() async throws {
        let sandbox = try Sandbox.start(name: "FileOpsOverSSH", hosts: [("c6", "rhel6"), ("c7", "rhel7"), ("f21", "fedora21")])
        defer { try? sandbox.stop() }
        for host in sandbox.hosts {
            let transport = SSHTransport(target: HostTarget(user: "root", address: host.address), options: SSHOptions(
                identityFiles: [sandbox.identity], knownHostsFile: sandbox.knownHosts,
                sshConfigPath: sandbox.directory + "/no-ssh-config", useAgent: false, home: sandbox.directory))
            do {
                try await transport.connect()
                try await checkEdits(on: host, over: transport)
            } catch {
                XCTFail("\(host.name) (\(host.distro)): \(error)")
            }
            await transport.close()
        }
    }

    private func checkEdits(on host: SandboxHost, over transport: SSHTransport) async throws {
        let context = SSHOpContext(transport: transport, checkMode: false)
        let libvirtd: [String: Value] = [
            "path": .string("/etc/libvirt/libvirtd.conf"),
            "settings": .record(["listen_tls": .int(0), "listen_tcp": .int(1), "auth_tcp": .string("\"none\"")]),
        ]
        let idmapd: [String: Value] = [
            "path": .string("/etc/idmapd.conf"), "section": .string("General"),
            "settings": .record(["Domain": .string("nova.example.com")]),
        ]
        for (arguments, file, golden) in [(libvirtd, "libvirt/libvirtd.conf", "libvirtd.conf"), (idmapd, "idmapd.conf", "idmapd.conf")] {
            let local = host.etc + "/" + file
            let stock = try XCTUnwrap(FileManager.default.contents(atPath: local), "\(host.name): \(file) is in the fixture")

            let planned = try await SSHOpContext(transport: transport, checkMode: true).run("edit-ini", arguments)
            XCTAssertTrue(planned.changed, "\(host.name) \(file)")
            XCTAssertEqual(FileManager.default.contents(atPath: local), stock, "\(host.name): check mode wrote \(file)")

            let applied = try await context.run("edit-ini", arguments)
            XCTAssertEqual(applied.diff, planned.diff, "\(host.name) \(file)")
            let goldenURL = Self.golden.appendingPathComponent("\(host.distro)/\(golden)")
            XCTAssertEqual(FileManager.default.contents(atPath: local), try Data(contentsOf: goldenURL),
                           "\(host.name): \(file) over SSH differs from the local golden result")
            XCTAssertEqual(FileManager.default.contents(atPath: local + ".crucible~"), stock, "\(host.name): backup of \(file)")

            let again = try await context.run("edit-ini", arguments)
            XCTAssertFalse(again.changed, "\(host.name): second run of \(file)")
        }
        let entry = try await context.run("hosts-entry", ["address": .string(host.address), "names": .list([.string("\(host.name).example.com"), .string(host.name)])])
        XCTAssertTrue(entry.changed)
        let hosts = try XCTUnwrap(String(data: FileManager.default.contents(atPath: host.etc + "/hosts") ?? Data(), encoding: .utf8))
        XCTAssertTrue(hosts.hasSuffix("\n\(host.address) \(host.name).example.com \(host.name)\n"), hosts)
    }
}

/// What an op sees of a sandbox host reached over SSH.
private struct SSHOpContext: HostContext {
    let transport: any Transport
    let checkMode: Bool
    var target: HostTarget { transport.target }
    var backupsByDefault: Bool { true }

    func facts() async throws -> HostFacts {
        HostFacts.parse(try await transport.run(HostFacts.gatherCommand).stdoutText)
    }

    func facts(of other: HostTarget) async throws -> HostFacts { try await facts() }

    func run(_ op: String, _ arguments: [String: Value]) async throws -> OpRecord {
        guard let spec = Stdlib.spec(named: op) else { throw OpError("no op named \(op)") }
        return try await OpExecutor.execute(spec, try OpArguments.bind(spec, arguments), on: self)
    }
}
