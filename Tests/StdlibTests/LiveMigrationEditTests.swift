import Foundation
import XCTest
import Interpreter
import Stdlib

/// The exact edits the live-migration recipe makes, on copies of the stock files of each
/// distribution: golden result bytes, changed once, unchanged the second time, nothing
/// touched in check mode, backup written, mode and owner kept (see `EditCycle`).
final class LiveMigrationEditTests: XCTestCase {
    private let cycle = EditCycle()

    static let nfsPorts: [String: Value] = [
        "LOCKD_TCPPORT": .int(32803), "LOCKD_UDPPORT": .int(32769), "MOUNTD_PORT": .int(892),
        "RQUOTAD_PORT": .int(875), "STATD_PORT": .int(662), "STATD_OUTGOING_PORT": .int(2020),
    ]

    static let libvirtdListen: [String: Value] = [
        "listen_tls": .int(0), "listen_tcp": .int(1), "auth_tcp": .string("\"none\""),
    ]

    // MARK: - /etc/sysconfig/nfs

    func testNFSPortsOnRHEL6AreSetUnderTheirCommentedStockKeys() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel6/etc/sysconfig/nfs", to: "etc/sysconfig/nfs")
        let outcome = try await cycle.run("edit-ini", ["path": .string(path), "settings": .record(.init(uniqueKeysWithValues: Self.nfsPorts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))],
                                          path: path, golden: "rhel6/sysconfig-nfs")
        // Every port is one added line right under its stock comment: nothing removed.
        XCTAssertFalse(outcome.diff.split(separator: "\n").contains { $0.hasPrefix("-") && !$0.hasPrefix("---") }, outcome.diff)
        let text = try XCTUnwrap(Disk.text(path))
        XCTAssertTrue(text.contains("#MOUNTD_PORT=892\nMOUNTD_PORT=892\n"), text)
        XCTAssertTrue(text.contains("#LOCKD_TCPPORT=32803\nLOCKD_TCPPORT=32803\n"), text)
        XCTAssertTrue(text.contains("#STATD_OUTGOING_PORT=2020\nSTATD_OUTGOING_PORT=2020\n"), text)
    }

    func testNFSPortsOnRHEL7GoUnderStockCommentsOrAfterTheLastSetting() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel7/etc/sysconfig/nfs", to: "etc/sysconfig/nfs")
        let settings: [(String, Value)] = [
            ("LOCKD_TCPPORT", .int(32803)), ("LOCKD_UDPPORT", .int(32769)), ("MOUNTD_PORT", .int(892)),
            ("RQUOTAD_PORT", .int(875)), ("STATD_PORT", .int(662)), ("STATD_OUTGOING_PORT", .int(2020)),
        ]
        let outcome = try await cycle.run("edit-ini", ["path": .string(path), "settings": .record(.init(uniqueKeysWithValues: settings))],
                                          path: path, golden: "rhel7/sysconfig-nfs")
        XCTAssertEqual(outcome.details["keys"], .list(settings.map { .string($0.0) }))
        let text = try XCTUnwrap(Disk.text(path))
        XCTAssertTrue(text.contains("#LOCKD_TCPPORT=32803\nLOCKD_TCPPORT=32803\n"), text)
        XCTAssertTrue(text.hasSuffix("BLKMAPDARGS=\"\"\nMOUNTD_PORT=892\nRQUOTAD_PORT=875\nSTATD_PORT=662\nSTATD_OUTGOING_PORT=2020\n"), text)
    }

    func testNFSPortsOnTheLaterRHEL7AndFedoraLayouts() async throws {
        for distro in ["rhel7.4", "fedora20", "fedora21"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/sysconfig/nfs", to: "etc/sysconfig/nfs")
            let settings: [(String, Value)] = [("MOUNTD_PORT", .int(892)), ("STATD_PORT", .int(662)), ("STATD_OUTGOING_PORT", .int(2020))]
            try await cycle.run("edit-ini", ["path": .string(path), "settings": .record(.init(uniqueKeysWithValues: settings))],
                                path: path, golden: "\(distro)/sysconfig-nfs")
            let document = IniDocument(try XCTUnwrap(Disk.bytes(path)))
            for (key, value) in settings { XCTAssertEqual(document.values(of: key, in: nil), [value.interpolated], "\(distro) \(key)") }
        }
        // RHEL 7.4 ships the three ports commented out: each value lands right under its comment.
        let text = try XCTUnwrap(String(data: Data(contentsOf: Fixtures.golden.appendingPathComponent("rhel7.4/sysconfig-nfs")), encoding: .utf8))
        XCTAssertTrue(text.contains("#MOUNTD_PORT=892\nMOUNTD_PORT=892\n#"), text)
        XCTAssertTrue(text.contains("#STATD_OUTGOING_PORT=2020\nSTATD_OUTGOING_PORT=2020\n# Specify"), text)
    }

    // MARK: - libvirtd

    func testLibvirtdListensOnTCPOnEveryDistribution() async throws {
        for distro in ["rhel6", "rhel7", "fedora21"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/libvirt/libvirtd.conf", to: "etc/libvirt/libvirtd.conf")
            let settings: [(String, Value)] = [("listen_tls", .int(0)), ("listen_tcp", .int(1)), ("auth_tcp", .string("\"none\""))]
            let outcome = try await cycle.run("edit-ini", ["path": .string(path), "settings": .record(.init(uniqueKeysWithValues: settings))],
                                              path: path, golden: "\(distro)/libvirtd.conf")
            let text = try XCTUnwrap(Disk.text(path))
            XCTAssertTrue(text.contains("#listen_tls = 0\nlisten_tls = 0\n"), distro)
            XCTAssertTrue(text.contains("#listen_tcp = 1\nlisten_tcp = 1\n"), distro)
            XCTAssertTrue(text.contains("#auth_tcp = \"sasl\"\nauth_tcp = \"none\"\n"), distro)
            XCTAssertEqual(outcome.diff.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.count, 3, outcome.diff)
        }
    }

    func testLibvirtdDiffIsThreeAddedLines() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel7/etc/libvirt/libvirtd.conf", to: "libvirtd.conf")
        let outcome = try await OpTestHost().run("edit-ini", [
            "path": .string(path), "settings": .record(["listen_tcp": .int(1)]),
        ])
        XCTAssertEqual(outcome.diff, "--- \(path)\n+++ \(path)\n@@ -31,6 +31,7 @@\n"
            + " #\n # This is disabled by default, uncomment this to enable it.\n #listen_tcp = 1\n+listen_tcp = 1\n \n \n \n")
    }

    func testSysconfigLibvirtdGetsListenArgument() async throws {
        for distro in ["rhel6", "rhel7"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/sysconfig/libvirtd", to: "etc/sysconfig/libvirtd")
            let outcome = try await cycle.run("edit-ini", ["path": .string(path), "settings": .record(["LIBVIRTD_ARGS": .string("\"--listen\"")])],
                                              path: path, golden: "\(distro)/sysconfig-libvirtd")
            XCTAssertTrue(outcome.diff.contains(" #LIBVIRTD_ARGS=\"--listen\"\n+LIBVIRTD_ARGS=\"--listen\"\n"), outcome.diff)
        }
    }

    // MARK: - idmapd.conf

    func testIdmapdDomainIsSetInGeneral() async throws {
        for distro in ["rhel6", "rhel7", "fedora21"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/idmapd.conf", to: "etc/idmapd.conf")
            try await cycle.run("edit-ini", ["path": .string(path), "section": .string("General"),
                                             "settings": .record(["Domain": .string("nova.example.com")])],
                                path: path, golden: "\(distro)/idmapd.conf")
            let document = IniDocument(try XCTUnwrap(Disk.bytes(path)))
            XCTAssertEqual(document.values(of: "Domain", in: "General"), ["nova.example.com"], distro)
        }
    }

    // MARK: - nova.conf

    static func novaEdits(_ path: String) -> [[String: Value]] {
        [
            ["path": .string(path), "section": .string("DEFAULT"),
             "settings": .record(["instances_path": .string("/var/lib/nova/instances"), "vncserver_listen": .string("0.0.0.0")])],
            ["path": .string(path), "section": .string("libvirt"),
             "settings": .record(["live_migration_flag": .string("VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE")])],
        ]
    }

    func testNovaConfOnRHEL6AndRHEL7() async throws {
        for distro in ["rhel6", "rhel7"] {
            try await checkNovaConf(fixture: "\(distro)/etc/nova/nova.conf", golden: "\(distro)/nova.conf")
        }
    }

    func testNovaConfOnTheFullUpstreamSamples() async throws {
        for release in ["nova-icehouse-rc", "rdo-icehouse-2014.1.1", "rdo-juno-2014.2.1"] {
            try await checkNovaConf(fixture: "upstream/nova/\(release)/nova.conf.sample", golden: "upstream/\(release)/nova.conf")
        }
    }

    private func checkNovaConf(fixture: String, golden: String) async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture(fixture, to: "etc/nova/nova.conf")
        let edits = Self.novaEdits(path)
        let original = try XCTUnwrap(Disk.bytes(path))
        try await cycle.run("edit-ini", edits[0], path: path, golden: golden + ".DEFAULT")
        try FileManager.default.removeItem(atPath: path + ".crucible~")
        try await cycle.run("edit-ini", edits[1], path: path, golden: golden)
        let document = IniDocument(try XCTUnwrap(Disk.bytes(path)))
        XCTAssertEqual(document.values(of: "instances_path", in: "DEFAULT"), ["/var/lib/nova/instances"], fixture)
        XCTAssertEqual(document.values(of: "vncserver_listen", in: "DEFAULT"), ["0.0.0.0"], fixture)
        XCTAssertEqual(document.values(of: "live_migration_flag", in: "libvirt"),
                       ["VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE"], fixture)
        // Three settings on a file of thousands of lines: exactly three lines more, none lost.
        let lines = { (bytes: [UInt8]) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count }
        XCTAssertEqual(lines(try XCTUnwrap(Disk.bytes(path))), lines(original) + 3, fixture)
    }

    // MARK: - exports, hosts, fstab

    func testExportsLine() async throws {
        for distro in ["rhel6", "rhel7"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/exports", to: "etc/exports")
            try await cycle.run("ensure-line", [
                "path": .string(path), "line": .string("/var/lib/nova/instances *(rw,sync,fsid=0,no_root_squash)"),
                "match": .string(#"^/var/lib/nova/instances\s"#),
            ], path: path, golden: "\(distro)/exports")
            XCTAssertEqual(Disk.text(path), "/var/lib/nova/instances *(rw,sync,fsid=0,no_root_squash)\n")
            // Changed export options replace the line instead of adding a second one.
            let outcome = try await OpTestHost().run("ensure-line", [
                "path": .string(path), "line": .string("/var/lib/nova/instances *(rw,async,fsid=0,no_root_squash)"),
                "match": .string(#"^/var/lib/nova/instances\s"#),
            ])
            XCTAssertTrue(outcome.changed)
            XCTAssertEqual(Disk.text(path), "/var/lib/nova/instances *(rw,async,fsid=0,no_root_squash)\n")
        }
    }

    func testHostsEntriesForEveryNode() async throws {
        for distro in ["rhel6", "rhel7"] {
            let scratch = try Scratch()
            let path = try scratch.copyFixture("\(distro)/etc/hosts", to: "etc/hosts")
            let nodes: [(String, [String])] = [("10.0.0.11", ["ctl.example.com", "ctl"]), ("10.0.0.12", ["c1.example.com", "c1"])]
            for (index, node) in nodes.enumerated() {
                if index > 0 { try FileManager.default.removeItem(atPath: path + ".crucible~") }
                try await cycle.run("hosts-entry", ["address": .string(node.0), "names": .list(node.1.map(Value.string)), "path": .string(path)],
                                    path: path, golden: "\(distro)/hosts.\(index + 1)")
            }
            XCTAssertEqual(Disk.text(path), try Fixtures.text("\(distro)/etc/hosts") + "10.0.0.11 ctl.example.com ctl\n10.0.0.12 c1.example.com c1\n")
        }
    }

    func testFstabNFS4Line() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel7/etc/fstab", to: "etc/fstab")
        let arguments: [String: Value] = [
            "source": .string("ctl:/"), "mountpoint": .string("/var/lib/nova/instances"), "fstype": .string("nfs4"),
            "options": .string(#"defaults,_netdev,context="system_u:object_r:nova_var_lib_t:s0""#), "path": .string(path),
        ]
        try await cycle.run("fstab", arguments, path: path, golden: "rhel7/fstab")
        XCTAssertTrue(try XCTUnwrap(Disk.text(path)).hasSuffix(
            "ctl:/                   /var/lib/nova/instances nfs4    defaults,_netdev,context=\"system_u:object_r:nova_var_lib_t:s0\" 0 0\n"))
    }

    func testFstabNFS3LineOnRHEL6WithoutAnFstab() async throws {
        let scratch = try Scratch()
        let path = scratch.path("etc/fstab")
        try FileManager.default.createDirectory(atPath: scratch.path("etc"), withIntermediateDirectories: true)
        try await cycle.run("fstab", [
            "source": .string("ctl:/var/lib/nova/instances"), "mountpoint": .string("/var/lib/nova/instances"),
            "fstype": .string("nfs"), "options": .string("defaults,_netdev,nfsvers=3"), "path": .string(path),
        ], path: path, golden: "rhel6/fstab")
        XCTAssertEqual(Disk.text(path), "ctl:/var/lib/nova/instances /var/lib/nova/instances nfs defaults,_netdev,nfsvers=3 0 0\n")
    }
}
