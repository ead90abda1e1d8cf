import Foundation
import XCTest
import Interpreter
import SSH
import Stdlib

/// The live-migration file edits over real SSH, on sandbox hosts (scripts/sandbox: network
/// namespaces, sshd, /etc an overlay of the stock fixture files): the remote files end up
/// byte for byte as the golden files of the local tests, a second run changes nothing,
/// check mode writes nothing, and backups land next to the files.
final class FileOpsOverSSHTests: XCTestCase {
    func testLiveMigrationEditsOverSSHMatchTheLocalGoldenFiles() async throws {
        let sandbox = try FileOpsSandbox.up(name: "fileops", hosts: ["c6": "rhel6", "c7": "rhel7", "f21": "fedora21"])
        defer { sandbox.down() }
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

    private func checkEdits(on host: FileOpsSandbox.Host, over transport: SSHTransport) async throws {
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
            let goldenURL = FileOpsSandbox.golden.appendingPathComponent("\(host.distro)/\(golden)")
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

    func run(_ op: String, _ arguments: [String: Value]) async throws -> OpOutcome {
        guard let spec = Stdlib.spec(named: op) else { throw OpError("no op named \(op)") }
        return try await OpExecutor.execute(spec, try OpArguments.bind(spec, arguments), on: self)
    }
}

/// Starts and stops sandbox hosts with scripts/sandbox and reads its hosts.json. Failing to
/// start is a test failure with the script's output, never a skip.
private struct FileOpsSandbox {
    struct Host {
        var name: String
        var distro: String
        var address: String
        var etc: String
    }

    var name: String
    var directory: String
    var identity: String
    var knownHosts: String
    var hosts: [Host]

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = repoRoot.appendingPathComponent("Tests/StdlibTests/Golden")

    static func up(name: String, hosts: [String: String]) throws -> FileOpsSandbox {
        let directory = "/tmp/crucible-sb/\(name)"
        let specs = hosts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let result = try script(["up", name, directory] + specs)
        guard result.status == 0 else {
            throw OpError("scripts/sandbox up failed (status \(result.status)); it needs root and network namespaces:\n\(result.output)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/hosts.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = json["hosts"] as? [[String: Any]] else { throw OpError("unreadable hosts.json in \(directory)") }
        return FileOpsSandbox(
            name: name, directory: directory, identity: json["identity"] as? String ?? "", knownHosts: json["known_hosts"] as? String ?? "",
            hosts: entries.map {
                Host(name: $0["name"] as? String ?? "", distro: $0["distro"] as? String ?? "",
                     address: $0["address"] as? String ?? "", etc: $0["etc"] as? String ?? "")
            })
    }

    func down() {
        _ = try? Self.script(["down", name, directory])
    }

    /// Runs scripts/sandbox with posix_spawn and waitpid, its output in a file. Not
    /// `Process`: the sshd and holder processes the script leaves running inherit whatever the
    /// child had open, and Foundation's wait (like a pipe's EOF) then never comes.
    static func script(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-sandbox-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let path = repoRoot.appendingPathComponent("scripts/sandbox").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw OpError("cannot start scripts/sandbox: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
