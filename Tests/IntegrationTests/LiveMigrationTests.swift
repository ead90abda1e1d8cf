import Foundation
import TestSupport
import XCTest

/// The bundled live-migration recipe, end to end over real SSH against sandbox hosts seeded
/// from the stock RHEL 6, RHEL 7, CentOS 7 and Fedora files. Services, SELinux, NFS mounts and
/// firewalld are recording stubs in the sandbox (this machine has no systemd and no kernel
/// NFS); iptables is real, inside each host's network namespace.
final class LiveMigrationTests: XCTestCase {
    var sandbox: Sandbox?

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
    }

    // MARK: - Helpers

    func start(_ hosts: [(String, String)]) throws -> Sandbox {
        let started = try Sandbox.start(name: "lm-\(name.filter { $0.isLetter }.suffix(20))", hosts: hosts.map { (name: $0.0, distro: $0.1) })
        sandbox = started
        for host in started.hosts where host.distro == "fedora21" {
            // The Fedora fixture tree has no nova.conf; a compute node has one from its package.
            let sample = CrucibleProcess.repoRoot.appendingPathComponent("Tests/Fixtures/upstream/nova/rdo-juno-2014.2.1/nova.conf.sample")
            try FileManager.default.createDirectory(atPath: host.etcPath("nova"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: sample.path, toPath: host.etcPath("nova/nova.conf"))
        }
        for host in started.hosts where host.distro == "centos7" {
            // The CentOS 7 fixture holds only its identity files; its packages ship RHEL 7's files.
            for path in ["idmapd.conf", "libvirt/libvirtd.conf", "sysconfig/libvirtd", "sysconfig/nfs", "nova/nova.conf"] {
                let stock = CrucibleProcess.repoRoot.appendingPathComponent("Tests/Fixtures/rhel7/etc/\(path)")
                try FileManager.default.createDirectory(atPath: (host.etcPath(path) as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try? FileManager.default.removeItem(atPath: host.etcPath(path))
                try FileManager.default.copyItem(atPath: stock.path, toPath: host.etcPath(path))
            }
        }
        return started
    }

    func run(_ sandbox: Sandbox, controller: String, computes: [String], extra: [String] = []) throws -> CrucibleProcess.Result {
        var arguments = ["run", "live-migration", "--set", "controller=\(controller)", "--ssh-config", sandbox.sshConfig]
        if !computes.isEmpty { arguments += ["--set", "computes=\(computes.joined(separator: ","))"] }
        return try CrucibleProcess.run(arguments + extra)
    }

    func report(_ result: CrucibleProcess.Result) throws -> [String: [String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var hosts: [String: [String: Any]] = [:]
        for host in json?["hosts"] as? [[String: Any]] ?? [] { hosts[host["host"] as? String ?? ""] = host }
        return hosts
    }

    func changedCount(_ host: [String: Any]?) -> Int {
        (host?["ops"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "changed" }.count
    }

    func text(_ host: SandboxHost, _ path: String) -> String {
        (try? String(contentsOfFile: host.etcPath(path), encoding: .utf8)) ?? "<missing>"
    }

    /// The files the recipe manages on a host, as bytes, plus its live firewall rules.
    func snapshot(_ sandbox: Sandbox, _ host: SandboxHost) throws -> [String: String] {
        var files: [String: String] = [:]
        for path in Self.managedFiles { files[path] = text(host, path) }
        files["iptables"] = try sandbox.exec(host.name, "iptables-save -t filter | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'").output
        files["state-calls"] = try sandbox.calls(host.name).filter(Self.isChange).joined(separator: "\n")
        return files
    }

    static let managedFiles = [
        "exports", "sysconfig/nfs", "idmapd.conf", "hosts", "fstab", "libvirt/libvirtd.conf", "sysconfig/libvirtd",
        "nova/nova.conf", "systemd/system/openstack-nova-compute.service.d/crucible.conf", "sysconfig/iptables",
    ]

    /// A stub call that changes state (not a query such as `systemctl is-active`).
    static func isChange(_ call: String) -> Bool {
        let queries = ["is-active", "is-enabled", "status", "--list", "--query-port", "--state", "--list-ports", "getsebool", "getenforce"]
        if call == "mount" || call.hasPrefix("getenforce") || call.hasPrefix("getsebool") { return false }
        return !queries.contains { call.contains(" \($0)") }
    }

    /// Compares a host's file with its golden copy, addresses replaced by `<NAME>`.
    func assertGolden(_ sandbox: Sandbox, _ host: SandboxHost, _ path: String, role: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        var actual = text(host, path)
        for other in sandbox.hosts { actual = actual.replacingOccurrences(of: other.address + " ", with: "<\(other.name)> ")
            .replacingOccurrences(of: other.address + ":", with: "<\(other.name)>:") }
        let golden = CrucibleProcess.repoRoot.appendingPathComponent("Tests/IntegrationTests/Golden/live-migration/\(role)/\(path)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "<no golden file \(golden.path)>"
        XCTAssertEqual(actual, expected, "\(host.name): /etc/\(path) differs from \(role)/\(path)", file: file, line: line)
    }

    /// INPUT rules of a host's live ruleset, as iptables-save writes them.
    func inputRules(_ sandbox: Sandbox, _ host: String) throws -> [String] {
        try sandbox.exec(host, "iptables-save -t filter").output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A INPUT") }
    }

    func assertFirewall(_ sandbox: Sandbox, _ host: String, nfsServer: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let rules = try inputRules(sandbox, host)
        let reject = rules.firstIndex { $0.contains("-j REJECT") } ?? rules.count
        func position(_ fragment: String) -> Int? { rules.firstIndex { $0.contains(fragment + " -j ACCEPT") } }
        for port in ["--dport 16509", "--dport 49152:49261"] {
            let index = position(port)
            XCTAssertNotNil(index, "\(host): \(port) open", file: file, line: line)
            if let index { XCTAssertLessThan(index, reject, "\(host): \(port) before REJECT", file: file, line: line) }
            XCTAssertEqual(rules.filter { $0.contains(port + " -j ACCEPT") }.count, 1,
                           "\(host): \(port) exactly once", file: file, line: line)
        }
        var nfsPorts = ["-m tcp --dport 32803", "-m udp --dport 32769"]
        for port in [111, 662, 875, 892, 2049] { nfsPorts += ["-m tcp --dport \(port)", "-m udp --dport \(port)"] }
        for port in nfsPorts {
            let index = rules.firstIndex { $0.contains(port + " -j ACCEPT") }
            if nfsServer {
                XCTAssertNotNil(index, "\(host): NFS \(port) open on the server", file: file, line: line)
                if let index { XCTAssertLessThan(index, reject, "\(host): \(port) before REJECT", file: file, line: line) }
            } else {
                XCTAssertNil(index, "\(host): NFS \(port) must not be open on a compute node", file: file, line: line)
            }
        }
        // Persisted: the saved file has the same INPUT rules as the live table.
        let saved = text(try sandbox.host(named: host), "sysconfig/iptables").split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A INPUT") }
        XCTAssertEqual(saved, rules, "\(host): the rules are saved to /etc/sysconfig/iptables", file: file, line: line)
    }

    // MARK: - Two nodes: check mode, run, exact files, second run

    func testTwoNodesCheckThenRunThenNothingChanges() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel6")])
        let ctl = try sandbox.host(named: "ctl"), c1 = try sandbox.host(named: "c1")
        let before = try sandbox.hosts.map { try snapshot(sandbox, $0) }

        let check = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--check"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("+MOUNTD_PORT=892"), "the plan shows diffs:\n\(check.stdout)")
        XCTAssertTrue(check.stdout.contains("$ iptables -I INPUT"), "the plan shows commands")
        XCTAssertTrue(check.stdout.contains("check mode: nothing was changed"))
        let afterCheck = try sandbox.hosts.map { try snapshot(sandbox, $0) }
        XCTAssertEqual(afterCheck, before, "check mode modified nothing (files, firewall, services)")

        let first = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(first.status, 0, first.output)
        let firstReport = try report(first)
        XCTAssertGreaterThan(changedCount(firstReport["ctl"]), 10)
        XCTAssertGreaterThan(changedCount(firstReport["c1"]), 10)

        for path in ["exports", "sysconfig/nfs", "idmapd.conf", "hosts", "fstab", "libvirt/libvirtd.conf", "sysconfig/libvirtd",
                     "nova/nova.conf", "systemd/system/openstack-nova-compute.service.d/crucible.conf"] {
            assertGolden(sandbox, ctl, path, role: "rhel7-controller")
        }
        for path in ["idmapd.conf", "hosts", "fstab", "libvirt/libvirtd.conf", "sysconfig/libvirtd", "nova/nova.conf"] {
            assertGolden(sandbox, c1, path, role: "rhel6-compute")
        }
        XCTAssertEqual(text(c1, "sysconfig/nfs"), try Self.fixture("rhel6/etc/sysconfig/nfs"), "a compute node's NFS server config is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: c1.etcPath("systemd/system/openstack-nova-compute.service.d/crucible.conf")),
                       "no systemd drop-in on a SysV host")
        try assertFirewall(sandbox, "ctl", nfsServer: true)
        try assertFirewall(sandbox, "c1", nfsServer: false)

        let ctlCalls = try sandbox.calls("ctl"), c1Calls = try sandbox.calls("c1")
        for call in ["systemctl start rpcbind", "systemctl enable rpcbind", "systemctl start nfs-server", "systemctl enable nfs-server",
                     "exportfs -r", "setsebool -P virt_use_nfs on", "systemctl restart libvirtd", "systemctl daemon-reload",
                     "systemctl restart openstack-nova-compute", "systemctl restart nfs-idmapd"] {
            XCTAssertTrue(ctlCalls.contains(call), "ctl: \(call) in \(ctlCalls)")
        }
        for call in ["setsebool -P virt_use_nfs on", "service libvirtd restart", "service rpcidmapd restart",
                     "service openstack-nova-compute restart"] {
            XCTAssertTrue(c1Calls.contains(call), "c1: \(call) in \(c1Calls)")
        }
        XCTAssertFalse(ctlCalls.contains { $0.hasPrefix("setenforce") } || c1Calls.contains { $0.hasPrefix("setenforce") }, "never setenforce")
        XCTAssertTrue(c1Calls.contains { $0.hasPrefix("mount") && $0.contains("/var/lib/nova/instances") }, "mounted now: \(c1Calls)")

        let callsBefore = try sandbox.hosts.map { try sandbox.calls($0.name).filter(Self.isChange) }
        let second = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(second.status, 0, second.output)
        let secondReport = try report(second)
        XCTAssertEqual(changedCount(secondReport["ctl"]), 0, "second run changes nothing on ctl")
        XCTAssertEqual(changedCount(secondReport["c1"]), 0, "second run changes nothing on c1")
        let callsAfter = try sandbox.hosts.map { try sandbox.calls($0.name).filter(Self.isChange) }
        XCTAssertEqual(callsAfter, callsBefore, "the second run restarts nothing and changes no service or SELinux state")
        try assertFirewall(sandbox, "ctl", nfsServer: true)
        try assertFirewall(sandbox, "c1", nfsServer: false)
    }

    // MARK: - Five nodes of mixed distributions

    func testFiveMixedNodesConverge() throws {
        let sandbox = try start([("ctl", "rhel7"), ("el6", "rhel6"), ("fed", "fedora21"), ("cent", "centos7"), ("el7", "rhel7")])
        let computes = ["el6", "fed", "cent", "el7"]
        let first = try run(sandbox, controller: "ctl", computes: computes, extra: ["--json"])
        XCTAssertEqual(first.status, 0, first.output)
        let hosts = try report(first)
        XCTAssertEqual(Set(hosts.keys), Set(["ctl"] + computes))

        for host in sandbox.hosts {
            let etcHosts = text(host, "hosts")
            for other in sandbox.hosts {
                XCTAssertEqual(etcHosts.components(separatedBy: "\n").filter { $0.hasPrefix(other.address + " ") }.count, 1,
                               "\(host.name): one /etc/hosts line for \(other.name)")
            }
            XCTAssertTrue(text(host, "idmapd.conf").contains("\nDomain = localdomain\n") || text(host, "idmapd.conf").contains("\nDomain=localdomain\n"),
                          "\(host.name): idmapd Domain set")
            XCTAssertTrue(text(host, "libvirt/libvirtd.conf").contains("\nauth_tcp = \"none\"\n"), "\(host.name): auth_tcp")
            XCTAssertTrue(text(host, "nova/nova.conf").contains("\nlive_migration_flag=VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE\n"),
                          "\(host.name): live_migration_flag")
            // fstab entries are compared field by field: the op aligns columns with the file's own layout.
            let entries = text(host, "fstab").split(separator: "\n").map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
            let ctlAddress = try sandbox.host(named: "ctl").address
            let context = "context=\"system_u:object_r:nova_var_lib_t:s0\""
            let expected = host.distro == "rhel6"
                ? ["\(ctlAddress):/var/lib/nova/instances", "/var/lib/nova/instances", "nfs", "defaults,_netdev,nfsvers=3,\(context)", "0", "0"]
                : ["\(ctlAddress):/", "/var/lib/nova/instances", "nfs4", "defaults,_netdev,\(context)", "0", "0"]
            XCTAssertEqual(entries.filter { $0.count > 1 && $0[1] == "/var/lib/nova/instances" }, [expected], "\(host.name): fstab")
        }
        // firewalld hosts get permanent firewalld ports, iptables hosts real rules.
        for name in ["fed", "cent"] {
            let calls = try sandbox.calls(name)
            XCTAssertTrue(calls.contains { $0.hasPrefix("firewall-cmd --permanent") && $0.contains("--add-port=16509/tcp") }, "\(name): \(calls)")
            XCTAssertTrue(calls.contains { $0.hasPrefix("firewall-cmd --permanent") && $0.contains("--add-port=49152-49261/tcp") }, "\(name): \(calls)")
            XCTAssertTrue(calls.contains { $0.contains("firewall-cmd --reload") }, "\(name): \(calls)")
        }
        try assertFirewall(sandbox, "ctl", nfsServer: true)
        try assertFirewall(sandbox, "el6", nfsServer: false)
        try assertFirewall(sandbox, "el7", nfsServer: false)

        let second = try run(sandbox, controller: "ctl", computes: computes, extra: ["--json"])
        XCTAssertEqual(second.status, 0, second.output)
        for (name, host) in try report(second) {
            XCTAssertEqual(changedCount(host), 0, "\(name) changes nothing the second time")
        }
    }

    // MARK: - An unreachable compute node

    func testUnreachableNodeFailsAloneAndRerunConverges() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel7"), ("c2", "rhel6")])
        try sandbox.stopSSHD("c2")
        let first = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(first.status, 1, first.output)
        let hosts = try report(first)
        XCTAssertEqual(hosts["c2"]?["status"] as? String, "unreachable")
        XCTAssertTrue((hosts["c2"]?["error"] as? String ?? "").contains("unreachable"), "\(hosts["c2"] ?? [:])")
        XCTAssertEqual(hosts["ctl"]?["status"] as? String, "ok")
        XCTAssertEqual(hosts["c1"]?["status"] as? String, "ok")
        XCTAssertGreaterThan(changedCount(hosts["c1"]), 10, "the others finished their work")

        try sandbox.startSSHD("c2")
        let rerun = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(rerun.status, 0, rerun.output)
        let again = try report(rerun)
        XCTAssertGreaterThan(changedCount(again["c2"]), 10, "c2 is set up once it is back")
        let third = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(third.status, 0)
        for (name, host) in try report(third) { XCTAssertEqual(changedCount(host), 0, "\(name) converged") }
    }

    // MARK: - Round trips

    /// A no-change run opens one connection per host and no more exec channels than the
    /// host has ops (counts, not time).
    func testNoChangeRunCostsOneConnectionAndAtMostOneExecPerOp() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel6")])
        XCTAssertEqual(try run(sandbox, controller: "ctl", computes: ["c1"]).status, 0)
        let result = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(result.status, 0, result.output)
        for (name, host) in try report(result) {
            let stats = host["stats"] as? [String: Int] ?? [:]
            let ops = (host["ops"] as? [[String: Any]] ?? []).count
            XCTAssertEqual(stats["connections"], 1, "\(name): one connection")
            XCTAssertLessThanOrEqual(stats["execChannels"] ?? .max, ops, "\(name): \(stats) for \(ops) ops")
        }
        // sshd's own log agrees: one accepted login per host per run (two runs so far).
        for host in sandbox.hosts {
            let log = (try? String(contentsOfFile: host.sshdLog, encoding: .utf8)) ?? ""
            XCTAssertEqual(log.components(separatedBy: "Accepted publickey").count - 1, 2, "\(host.name): one login per run")
        }
    }

    static func fixture(_ path: String) throws -> String {
        try String(contentsOf: CrucibleProcess.repoRoot.appendingPathComponent("Tests/Fixtures/\(path)"), encoding: .utf8)
    }
}
