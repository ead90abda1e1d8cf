import Foundation
import XCTest
import Interpreter
import TestSupport
@testable import Stdlib

/// mount: reading `mount`'s table, the decision, and real `mkdir`/`mount` commands (a
/// tmpfs inside a private mount namespace; this machine has no NFS client).
final class MountTests: XCTestCase {
    static let table = """
        proc on /proc type proc (rw,relatime)
        /dev/mapper/vg-root on / type ext4 (rw,relatime,seclabel,data=ordered)
        ctl.example.com:/ on /var/lib/nova/instances type nfs4 (rw,relatime,vers=4.0,rsize=1048576,context="system_u:object_r:nova_var_lib_t:s0",addr=10.0.0.1)
        /dev/sdb1 on /mnt/my\\040disk type xfs (rw)
        """

    func testReadsTheTable() throws {
        let table = MountTable.parse(Self.table)
        XCTAssertEqual(table.entries.count, 4)
        let nova = try XCTUnwrap(table.entry(at: "/var/lib/nova/instances/"))
        XCTAssertEqual(nova.source, "ctl.example.com:/")
        XCTAssertEqual(nova.type, "nfs4")
        XCTAssertTrue(nova.options.contains("vers=4.0"))
        XCTAssertEqual(table.entry(at: "/mnt/my disk")?.source, "/dev/sdb1")
        XCTAssertNil(table.entry(at: "/var/lib/nova"))
    }

    private func request(_ mountPoint: String, source: String? = nil, now: Bool = true) -> Mount.Request {
        Mount.Request(mountPoint: mountPoint, source: source, fstype: source == nil ? nil : "nfs4",
                      options: source == nil ? nil : "defaults,_netdev", now: now)
    }

    func testDecisions() throws {
        let table = MountTable.parse(Self.table)
        let fresh = try Mount.plan(request("/srv/new"), directoryExists: false, table: table)
        XCTAssertEqual(fresh.actions.map(\.summary), ["create mount point /srv/new", "mount /srv/new"])
        guard case .run(let mountCommand, _, _) = fresh.actions[1] else { return XCTFail() }
        XCTAssertEqual(mountCommand, "mount -- /srv/new")
        let explicit = try Mount.plan(request("/srv/new", source: "ctl:/"), directoryExists: true, table: table)
        XCTAssertEqual(explicit.actions, [.run(command: "mount -t nfs4 -o defaults,_netdev -- ctl:/ /srv/new", summary: "mount /srv/new")])
        let mounted = try Mount.plan(request("/var/lib/nova/instances", source: "ctl.example.com:/"), directoryExists: true, table: table)
        XCTAssertFalse(mounted.changes)
        XCTAssertEqual(mounted.reason, "/var/lib/nova/instances is mounted from ctl.example.com:/")
        XCTAssertThrowsError(try Mount.plan(request("/var/lib/nova/instances", source: "other:/"), directoryExists: true, table: table))
        let later = try Mount.plan(request("/srv/new", now: false), directoryExists: false, table: table)
        XCTAssertEqual(later.actions.map(\.summary), ["create mount point /srv/new"])
        let nothing = try Mount.plan(request("/srv/new", now: false), directoryExists: true, table: table)
        XCTAssertFalse(nothing.changes)
    }

    func testRealTableOfThisMachine() async throws {
        let transport = LocalTransport()
        let outcome = try await OpRunner.run("mount", ["mountpoint": .string("/proc")],
                                             on: TestHostContext(transport: transport, cannedFacts: CannedFacts.rhel7))
        XCTAssertFalse(outcome.changed)
        XCTAssertEqual(outcome.details["mounted_from"], .string("proc"))
        XCTAssertEqual(transport.stats().execChannels, 1, "directory and table read in one exec")
    }

    func testCreatesTheMountPointForReal() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("crsys-mount-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let mountPoint = base.appendingPathComponent("it's here").path
        let context = TestHostContext(transport: LocalTransport(), cannedFacts: CannedFacts.rhel7)
        let outcome = try await OpRunner.run("mount", ["mountpoint": .string(mountPoint), "now": .bool(false)], on: context)
        XCTAssertTrue(outcome.changed)
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: mountPoint, isDirectory: &isDirectory) && isDirectory.boolValue)
        let again = try await OpRunner.run("mount", ["mountpoint": .string(mountPoint), "now": .bool(false)], on: context)
        XCTAssertFalse(again.changed)
    }

    /// The planned `mount -t ... SRC MP` really mounts (a tmpfs in the namespace host's
    /// private mount namespace, gone when the command ends).
    func testTheMountCommandMounts() async throws {
        let host = try NamespaceHost()
        defer { host.destroy() }
        let mountPoint = host.root.appendingPathComponent("mnt point").path
        let outcome = try await OpRunner.run("mount", ["mountpoint": .string(mountPoint), "source": .string("crsys-tmpfs"),
                                                       "fstype": .string("tmpfs"), "options": .string("size=1m")],
                                             on: TestHostContext(transport: host.transport(), cannedFacts: CannedFacts.rhel7))
        XCTAssertEqual(outcome.commands, ["mkdir -p -- '\(mountPoint)'", "mount -t tmpfs -o size=1m -- crsys-tmpfs '\(mountPoint)'"])
        let seen = try host.run(outcome.commands[1] + " && mount")
        XCTAssertEqual(MountTable.parse(seen).entry(at: mountPoint)?.type, "tmpfs")
    }
}
