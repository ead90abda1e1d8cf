import Foundation
import XCTest
import Interpreter
import TestSupport
@testable import Stdlib

/// detect-nfs, facts and nova-ids, plus the facts gathering script run for real against
/// RHEL 6 / RHEL 7 / Fedora identity files in a namespace host's private /etc.
final class QueryTests: XCTestCase {
    func testDetectNFSPerDistribution() async throws {
        let rhel6 = try await OpRunner.query("detect-nfs", on: TestHostContext(transport: ScriptedTransport(), cannedFacts: CannedFacts.rhel6))
        // The NFS facts, under the names and in the order `facts()` gives them.
        XCTAssertEqual(rhel6, .record([
            "family": .string("rhel"), "major_version": .int(6), "init": .string("sysv"), "firewall": .string("iptables"),
            "selinux": .string("enforcing"), "nfs_version": .int(3), "nfs_server_service": .string("nfs"),
            "idmap_service": .string("rpcidmapd"), "fstab_type": .string("nfs"), "nfs_lock_service": .string("nfslock"),
            "nfs_config_service": .string(""),
        ]))
        let fedora = try await OpRunner.query("detect-nfs", on: TestHostContext(transport: ScriptedTransport(), cannedFacts: CannedFacts.fedora21))
        XCTAssertEqual(fedora["nfs_version"], .int(4))
        XCTAssertEqual(fedora["fstab_type"], .string("nfs4"))
        XCTAssertEqual(fedora["nfs_server_service"], .string("nfs-server"))
        XCTAssertEqual(fedora["idmap_service"], .string("nfs-idmapd"))
        XCTAssertEqual(fedora["nfs_lock_service"], .string("rpc-statd"))
        let rhel70 = try await OpRunner.query("facts", on: TestHostContext(transport: ScriptedTransport(), cannedFacts: CannedFacts.rhel7))
        // RHEL 7.0 ships nfs-idmap and nfs-lock; the names come from the host's unit files.
        XCTAssertEqual(rhel70["idmap_service"], .string("nfs-idmap"))
        XCTAssertEqual(rhel70["nfs_lock_service"], .string("nfs-lock"))
        XCTAssertEqual(rhel70["nfs_config_service"], .string(""))
        XCTAssertEqual(rhel70["nova_uid"], .int(162))
        XCTAssertEqual(rhel70["qemu_uid"], Value.none)
        XCTAssertEqual(fedora["nfs_version"], .int(4))
        XCTAssertEqual(fedora["firewall"], .string("firewalld"))
        let facts = try await OpRunner.query("facts", on: TestHostContext(transport: ScriptedTransport(), cannedFacts: CannedFacts.rhel7))
        XCTAssertEqual(facts, CannedFacts.rhel7.value)
        let other = TestHostContext(transport: ScriptedTransport(), cannedFacts: CannedFacts.rhel7,
                                    otherFacts: ["10.0.0.6": CannedFacts.rhel6])
        let node = try await OpRunner.query("facts", ["host": .host(HostTarget(address: "10.0.0.6"))], on: other)
        XCTAssertEqual(node["fqdn"], .string("c2.example.com"))
        let byName = try await OpRunner.query("facts", ["host": .string("root@10.0.0.6")], on: other)
        XCTAssertEqual(byName["major_version"], .int(6))
    }

    func testTheFactsRecordHoldsEveryFieldInTableOrder() throws {
        for facts in [CannedFacts.rhel6, CannedFacts.rhel7, CannedFacts.fedora21] {
            guard case .record(let record) = facts.value else { return XCTFail("not a record: \(facts.value)") }
            XCTAssertEqual(Array(record.keys), HostFacts.fields.map(\.spec.name))
            XCTAssertEqual(Array(record.values), HostFacts.fields.map { $0.read(facts) })
            XCTAssertEqual(record["fqdn"], .string(facts.fqdn), "lookups by key work in the filled copy")
        }
        XCTAssertNotEqual(CannedFacts.rhel6.value, CannedFacts.rhel7.value, "each host's values, not the first one's")
    }

    func testNovaIDsFromARealPasswd() async throws {
        let host = try NamespaceHost()
        defer { host.destroy() }
        try host.writeEtc("passwd", try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
                          + "nova:x:162:162:OpenStack Nova Daemons:/var/lib/nova:/sbin/nologin\n")
        try host.writeEtc("group", try String(contentsOfFile: "/etc/group", encoding: .utf8) + "nova:x:162:\n")
        let ids = try await OpRunner.query("nova-ids", on: TestHostContext(transport: host.transport(), cannedFacts: CannedFacts.rhel7))
        XCTAssertEqual(ids, .record(["uid": .int(162), "gid": .int(162)]))
        let none = try await OpRunner.query("nova-ids", on: TestHostContext(transport: LocalTransport(), cannedFacts: CannedFacts.rhel7))
        XCTAssertEqual(none, .none, "this machine has no nova user")
    }

    /// Runs the real gather script in a host whose /etc holds a fixture's identity files
    /// (RHEL 6: /etc/redhat-release only, os-release and debian_version whited out).
    private func gather(identity distro: String, hide: [String]) throws -> HostFacts {
        let host = try NamespaceHost()
        defer { host.destroy() }
        for name in ["os-release", "redhat-release"] {
            if let text = try? Fixtures.text("\(distro)/etc/\(name)") { try host.writeEtc(name, text) }
        }
        for name in hide { try host.hideEtc(name) }
        return HostFacts.parse(try host.run(HostFacts.gatherCommand))
    }

    func testGatherScriptOnRHEL6RHEL7AndFedoraIdentities() throws {
        let rhel6 = try gather(identity: "rhel6", hide: ["os-release", "debian_version"])
        XCTAssertEqual(rhel6.family, .rhel)
        XCTAssertEqual(rhel6.majorVersion, 6)
        XCTAssertEqual(rhel6.nfsVersion, 3)
        XCTAssertEqual(rhel6.firewall, .iptables)
        let rhel7 = try gather(identity: "rhel7", hide: ["debian_version"])
        XCTAssertEqual(rhel7.distribution, "rhel")
        XCTAssertEqual(rhel7.majorVersion, 7)
        XCTAssertFalse(rhel7.prettyName.contains("\""), rhel7.prettyName)
        XCTAssertEqual(rhel7.nfsVersion, 4)
        let fedora = try gather(identity: "fedora21", hide: ["debian_version"])
        XCTAssertEqual(fedora.family, .fedora)
        XCTAssertEqual(fedora.majorVersion, 21)
    }
}
