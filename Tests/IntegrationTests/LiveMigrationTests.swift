import Foundation
import TestSupport
import XCTest

/// The bundled live-migration recipe, end to end over real SSH against sandbox hosts that behave
/// like RHEL 6, RHEL 7.0, RHEL 7.4, Fedora 20 and Fedora 21 (their unit files, init scripts and
/// stock files; stubs that fail where the release fails: docs/sandbox.md). Every run ends with
/// the recipe's verify step. iptables is real, inside each host's network namespace.
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
        // What the verify step runs only reads (a lock taken and released, a listing).
        let reads = ["flock ", "virsh ", "rpcinfo", "findmnt", "exportfs -v", "mountpoint", "stat "]
        if reads.contains(where: call.hasPrefix) { return false }
        return !queries.contains { call.contains(" \($0)") }
    }

    /// Compares a host's file with its golden copy, addresses replaced by `<NAME>`.
    func assertGolden(_ sandbox: Sandbox, _ host: SandboxHost, _ path: String, role: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        var actual = text(host, path)
        // The sandbox's subnet differs between runs: addresses become `<HOST>` (10.231.1.2 is
        // not a prefix of 10.231.1.20).
        for other in sandbox.hosts {
            let pattern = NSRegularExpression.escapedPattern(for: other.address) + "(?![0-9])"
            actual = actual.replacingOccurrences(of: pattern, with: "<\(other.name)>", options: .regularExpression)
        }
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

    /// The migration ports (and on the server the NFS port) are open before the REJECT, from
    /// the given nodes only, once each, and saved.
    func assertFirewall(_ sandbox: Sandbox, _ host: String, nfsServer: Bool, peers: [String], clients: [String],
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let rules = try inputRules(sandbox, host)
        let reject = rules.firstIndex { $0.contains("-j REJECT") } ?? rules.count
        func check(_ port: String, from sources: [String]) throws {
            for source in sources {
                let address = try sandbox.host(named: source).address
                let matching = rules.enumerated().filter { $0.element.contains("-s \(address)/32 ") && $0.element.contains(port + " -j ACCEPT") }
                XCTAssertEqual(matching.count, 1, "\(host): \(port) from \(source) exactly once in \(rules)", file: file, line: line)
                if let index = matching.first?.offset { XCTAssertLessThan(index, reject, "\(host): \(port) before REJECT", file: file, line: line) }
            }
        }
        try check("--dport 16509", from: peers)
        try check("--dport 49152:49215", from: peers)
        XCTAssertFalse(rules.contains { $0.contains("--dport 16509") && !$0.contains("-s ") }, "\(host): libvirtd is not open to everyone", file: file, line: line)
        if nfsServer {
            try check("-m tcp --dport 2049", from: clients)
        } else {
            XCTAssertFalse(rules.contains { $0.contains("--dport 2049 ") }, "\(host): no NFS port on a client", file: file, line: line)
        }
        for port in ["--dport 111 ", "--dport 892 ", "--dport 662 "] {
            XCTAssertFalse(rules.contains { $0.contains(port) }, "\(host): NFSv4 opens no helper port (\(port))", file: file, line: line)
        }
        // Persisted: the saved file has the same INPUT rules as the live table.
        let saved = text(try sandbox.host(named: host), "sysconfig/iptables").split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A INPUT") }
        XCTAssertEqual(saved, rules, "\(host): the rules are saved to /etc/sysconfig/iptables", file: file, line: line)
    }

    /// Check mode plans each op on what the ops before it would leave (issue #19): at every
    /// place in the recipe, the check run's statuses, diffs and commands are the real run's,
    /// except at places where check mode said it could not know (`unknown`), which must stay few.
    func assertCheckPredicted(_ check: [String: Any]?, _ real: [String: Any]?, _ host: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        func byPlace(_ report: [String: Any]?) -> [String: [[String: Any]]] {
            Dictionary(grouping: (report?["ops"] as? [[String: Any]] ?? []).filter { $0["op"] as? String != "expect" }) {
                $0["location"] as? String ?? ""
            }
        }
        func shown(_ op: [String: Any]) -> String {
            "\(op["status"] ?? "") \(op["diff"] ?? "") \((op["commands"] as? [String] ?? []).joined(separator: "; "))"
        }
        let planned = byPlace(check), done = byPlace(real)
        let unknown = planned.filter { $0.value.contains { $0["status"] as? String == "unknown" } }
        XCTAssertLessThanOrEqual(unknown.count, 2, "\(host): check mode could not plan \(unknown.keys.sorted())", file: file, line: line)
        XCTAssertGreaterThan(planned.count, 10, "\(host): the check run planned the recipe", file: file, line: line)
        for (place, ops) in planned where unknown[place] == nil {
            XCTAssertEqual(ops.map(shown), (done[place] ?? []).map(shown), "\(host) at \(place): --check predicted another result",
                           file: file, line: line)
        }
    }

    /// `expect` records of a host with the given status.
    func checkCount(_ host: [String: Any]?, _ status: String) -> Int {
        (host?["ops"] as? [[String: Any]] ?? []).filter { $0["op"] as? String == "expect" && $0["status"] as? String == status }.count
    }

    // MARK: - Two nodes: check mode, run with verify, exact files, second run

    func testTwoNodesCheckThenRunThenNothingChanges() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel6")])
        let ctl = try sandbox.host(named: "ctl"), c1 = try sandbox.host(named: "c1")
        let before = try sandbox.hosts.map { try snapshot(sandbox, $0) }

        let check = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--check", "--json", "--detailed-exitcode"])
        XCTAssertEqual(check.status, 3, "changes pending: --detailed-exitcode says so\n" + check.output)
        XCTAssertTrue(check.stderr.contains("+Domain = localdomain"), "the plan shows diffs:\n\(check.stderr)")
        XCTAssertTrue(check.stderr.contains("$ iptables -I INPUT"), "the plan shows commands")
        let checkReport = try report(check)
        XCTAssertEqual(check.stderr.components(separatedBy: "`verify on` blocks skipped (the first at ").count, 2, check.output)
        let afterCheck = try sandbox.hosts.map { try snapshot(sandbox, $0) }
        XCTAssertEqual(afterCheck, before, "check mode modified nothing (files, firewall, services)")

        let first = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(first.status, 0, first.output)
        let firstReport = try report(first)
        for host in ["ctl", "c1"] { assertCheckPredicted(checkReport[host], firstReport[host], host) }
        XCTAssertGreaterThan(changedCount(firstReport["ctl"]), 10)
        XCTAssertGreaterThan(changedCount(firstReport["c1"]), 8)
        XCTAssertGreaterThan(checkCount(firstReport["c1"], "ok"), 5, "the verify step ran")
        XCTAssertEqual(checkCount(firstReport["c1"], "failed") + checkCount(firstReport["ctl"], "failed"), 0)

        for path in ["exports", "idmapd.conf", "hosts", "libvirt/libvirtd.conf", "sysconfig/libvirtd", "nova/nova.conf"] {
            assertGolden(sandbox, ctl, path, role: "rhel7-controller")
        }
        for path in ["idmapd.conf", "hosts", "fstab", "libvirt/libvirtd.conf", "sysconfig/libvirtd", "nova/nova.conf"] {
            assertGolden(sandbox, c1, path, role: "rhel6-compute")
        }
        XCTAssertEqual(text(ctl, "sysconfig/nfs"), try Self.fixture("rhel7/etc/sysconfig/nfs"), "NFSv4: no helper ports to pin")
        XCTAssertFalse(text(ctl, "fstab").contains("/var/lib/nova/instances"), "the NFS server does not mount its own export")
        XCTAssertFalse(FileManager.default.fileExists(atPath: ctl.etcPath("systemd/system/openstack-nova-compute.service.d/crucible.conf")),
                       "the server uses the directory itself: no mount to wait for")
        XCTAssertFalse(FileManager.default.fileExists(atPath: c1.etcPath("systemd/system/openstack-nova-compute.service.d/crucible.conf")),
                       "no systemd drop-in on a SysV host")
        try assertFirewall(sandbox, "ctl", nfsServer: true, peers: ["ctl", "c1"], clients: ["c1"])
        try assertFirewall(sandbox, "c1", nfsServer: false, peers: ["ctl", "c1"], clients: [])

        let ctlCalls = try sandbox.calls("ctl"), c1Calls = try sandbox.calls("c1")
        for call in ["systemctl enable nfs-server", "exportfs -r", "setsebool -P virt_use_nfs on", "systemctl restart libvirtd",
                     "systemctl restart nfs-idmap"] {
            XCTAssertTrue(ctlCalls.contains(call), "ctl: \(call) in \(ctlCalls)")
        }
        XCTAssertFalse(ctlCalls.contains { $0.contains("nfs-idmapd") }, "RHEL 7.0 has no nfs-idmapd: \(ctlCalls)")
        for call in ["setsebool -P virt_use_nfs on", "service libvirtd restart", "service rpcidmapd restart"] {
            XCTAssertTrue(c1Calls.contains(call), "c1: \(call) in \(c1Calls)")
        }
        XCTAssertTrue(try sandbox.exec("c1", "chkconfig --list netfs").output.contains("3:on"), "netfs mounts the share at boot")
        XCTAssertFalse(c1Calls.contains { $0.contains("nfs-server") || $0.hasPrefix("service nfs ") }, "a client starts no NFS server: \(c1Calls)")
        XCTAssertFalse(ctlCalls.contains { $0.hasPrefix("setenforce") } || c1Calls.contains { $0.hasPrefix("setenforce") }, "never setenforce")

        let callsBefore = try sandbox.hosts.map { try sandbox.calls($0.name).filter(Self.isChange) }
        let settled = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--check", "--detailed-exitcode"])
        XCTAssertEqual(settled.status, 0, "nothing pending: --detailed-exitcode exits 0\n" + settled.output)
        let second = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(second.status, 0, second.output)
        let secondReport = try report(second)
        XCTAssertEqual(changedCount(secondReport["ctl"]), 0, "second run changes nothing on ctl")
        XCTAssertEqual(changedCount(secondReport["c1"]), 0, "second run changes nothing on c1")
        let callsAfter = try sandbox.hosts.map { try sandbox.calls($0.name).filter(Self.isChange) }
        XCTAssertEqual(callsAfter, callsBefore, "the second run restarts nothing and changes no service or SELinux state")
    }

    // MARK: - The release matrix

    /// Every release as the controller (the NFS server), with compute nodes of other releases.
    func testEveryReleaseAsControllerWithOtherReleasesAsComputes() throws {
        let topologies: [[(String, String)]] = [
            [("ctl", "rhel6"), ("c1", "rhel7"), ("c2", "rhel7.4")],
            [("ctl", "rhel7"), ("c1", "fedora20"), ("c2", "rhel6")],
            [("ctl", "rhel7.4"), ("c1", "fedora21"), ("c2", "rhel7")],
            [("ctl", "fedora20"), ("c1", "rhel7.4"), ("c2", "fedora21")],
            [("ctl", "fedora21"), ("c1", "rhel6"), ("c2", "fedora20")],
        ]
        for topology in topologies {
            let label = topology.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            let sandbox = try start(topology)
            // The dry run first: on every release it predicts what the real run then does.
            let check = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--check", "--json"])
            XCTAssertEqual(check.status, 0, "\(label)\n\(check.output)")
            let planned = try report(check)
            let first = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
            XCTAssertEqual(first.status, 0, "\(label)\n\(first.output)")
            for (name, host) in try report(first) {
                XCTAssertEqual(host["status"] as? String, "ok", "\(label): \(name) \(host["error"] ?? "")")
                XCTAssertGreaterThan(checkCount(host, "ok"), 5, "\(label): \(name) verified")
                assertCheckPredicted(planned[name], host, "\(label): \(name)")
            }
            let second = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
            XCTAssertEqual(second.status, 0, "\(label)\n\(second.output)")
            for (name, host) in try report(second) {
                XCTAssertEqual(changedCount(host), 0, "\(label): \(name) changes nothing the second time")
            }
            try sandbox.stop()
            self.sandbox = nil
        }
    }

    /// NFSv3, done right: the helper daemons run on the pinned ports on each release (the
    /// verify step reads rpcinfo from the clients and tries each port through the firewall).
    func testNFSv3PinsTheHelperPortsWhereEachReleaseReadsThem() throws {
        for server in ["rhel6", "rhel7", "rhel7.4", "fedora21"] {
            let sandbox = try start([("ctl", server), ("c1", "rhel6"), ("c2", "rhel7.4")])
            let result = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--set", "nfs_version=3", "--json"])
            XCTAssertEqual(result.status, 0, "server \(server)\n\(result.output)")
            let rpc = try sandbox.exec("ctl", "rpcinfo -p").output
            for (program, port) in [("mountd", "892"), ("status", "662"), ("nlockmgr", "32803")] {
                XCTAssertTrue(rpc.split(separator: "\n").contains { $0.contains(" tcp ") && $0.hasSuffix(program) && $0.contains(" \(port) ") },
                              "server \(server): \(program) on \(port):\n\(rpc)")
            }
            let again = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--set", "nfs_version=3", "--json"])
            XCTAssertEqual(again.status, 0, again.output)
            for (name, host) in try report(again) { XCTAssertEqual(changedCount(host), 0, "server \(server): \(name) converged") }
            try sandbox.stop()
            self.sandbox = nil
        }
    }

    /// A storage host that is not a compute node and has no nova user exports the share,
    /// owned by nova's ids as the compute nodes have them.
    func testSeparateStorageHostWithoutNova() throws {
        let sandbox = try start([("st", "rhel7.4:nonova"), ("ctl", "rhel7"), ("c1", "rhel6")])
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOzP8mEVhYGRf0kJr3cFO7mE0rU8pXGk2V7hWnDm2n3A nova@cluster"
        let result = try run(sandbox, controller: "ctl", computes: ["c1"],
                             extra: ["--set", "nfs_server=st", "--set", "nova_ssh_key=\(key)", "--json"])
        XCTAssertEqual(result.status, 0, result.output)
        let hosts = try report(result)
        // Resize and cold migration: nova's key, shell and known hosts, on the compute nodes only.
        for node in ["ctl", "c1"] {
            XCTAssertEqual(try sandbox.exec(node, "cat /var/lib/nova/.ssh/authorized_keys").output, key + "\n", node)
            XCTAssertTrue(try sandbox.exec(node, "getent passwd nova").output.hasSuffix(":/bin/bash\n"), node)
            let peer = node == "ctl" ? "c1" : "ctl"
            XCTAssertEqual(try sandbox.exec(node, "ssh-keygen -F \(peer) -f /var/lib/nova/.ssh/known_hosts >/dev/null").status, 0,
                           "\(node) knows \(peer)'s host key")
            XCTAssertFalse(try sandbox.exec(node, "cat /root/.ssh/authorized_keys 2>/dev/null").output.contains("nova@cluster"),
                           "\(node): the key is nova's, not root's")
        }
        XCTAssertEqual(Set(hosts.keys), ["st", "ctl", "c1"])
        let owner = try sandbox.exec("st", "stat -c %u:%g /var/lib/nova/instances").output
        XCTAssertEqual(owner.trimmingCharacters(in: .whitespacesAndNewlines), "162:162")
        let ctl = try sandbox.host(named: "ctl")
        XCTAssertTrue(text(ctl, "fstab").contains("\(try sandbox.host(named: "st").address):/var/lib/nova/instances"), text(ctl, "fstab"))
        XCTAssertFalse(try sandbox.calls("st").contains { $0.contains("openstack-nova-compute") || $0.contains("libvirtd") },
                       "the storage host runs no guests")
    }

    // MARK: - Preflight

    /// A node without nova stops the run before any change on any node, naming the node and the fix.
    func testPreflightFailureChangesNothingAnywhere() throws {
        let sandbox = try start([("ctl", "rhel7.4"), ("c1", "fedora21"), ("c2", "rhel6:nonova"), ("c3", "rhel7:nova=163")])
        let before = try sandbox.hosts.map { try snapshot(sandbox, $0) }
        let result = try run(sandbox, controller: "ctl", computes: ["c1", "c2", "c3"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("c2 has a nova user: without one OpenStack nova is not installed there"), result.output)
        XCTAssertTrue(result.output.contains("nova's uid:gid on c3 (163:163) matches ctl (162:162)"), result.output)
        XCTAssertTrue(result.output.contains("preflight failed on c2, c3: the run stopped before changing any host"), result.output)
        let after = try sandbox.hosts.map { try snapshot(sandbox, $0) }
        XCTAssertEqual(after, before, "nothing changed on any node")
    }

    /// Leftovers of the original tool and a non-empty instances directory are refused.
    func testPreflightRefusesLeftoversAndAFullInstancesDirectory() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel7")])
        _ = try sandbox.exec("ctl", "echo '/var/lib/nova *(rw,fsid=0,insecure,no_subtree_check,async,no_root_squash)' >> /etc/exports")
        _ = try sandbox.exec("c1", "mkdir -p /var/lib/nova/instances/4f1c && touch /var/lib/nova/instances/4f1c/disk")
        _ = try sandbox.exec("c1", "sed -i 's|^#state_path=.*|state_path=/openstack|' /etc/nova/nova.conf")
        let result = try run(sandbox, controller: "ctl", computes: ["c1"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("has no other fsid=0 export"), result.output)
        XCTAssertTrue(result.output.contains("is empty before the share is mounted over it (it holds: 4f1c)"), result.output)
        XCTAssertTrue(result.output.contains("has no state_path=/openstack"), result.output)
        XCTAssertFalse(try sandbox.calls("ctl").contains { $0.hasPrefix("exportfs") }, "nothing was exported")
    }

    // MARK: - An unreachable compute node

    func testUnreachableNodeStopsThePreflightAndRerunConverges() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel7.4"), ("c2", "rhel6")])
        try sandbox.stopSSHD("c2")
        let others = sandbox.hosts.filter { $0.name != "c2" }
        let before = try others.map { try snapshot(sandbox, $0) }
        let first = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(first.status, 1, first.output)
        let hosts = try report(first)
        XCTAssertEqual(hosts["c2"]?["status"] as? String, "unreachable")
        XCTAssertEqual(try others.map { try snapshot(sandbox, $0) }, before,
                       "the others wait: a node the preflight cannot read could not be set up either")

        try sandbox.startSSHD("c2")
        let rerun = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(rerun.status, 0, rerun.output)
        let third = try run(sandbox, controller: "ctl", computes: ["c1", "c2"], extra: ["--json"])
        XCTAssertEqual(third.status, 0)
        for (name, host) in try report(third) { XCTAssertEqual(changedCount(host), 0, "\(name) converged") }
    }

    // MARK: - Verify catches a broken system

    /// After a good run, a closed firewall port and a stopped libvirtd are found by
    /// `--verify-only`, which changes nothing.
    func testVerifyOnlyFindsABrokenNode() throws {
        let sandbox = try start([("ctl", "rhel7.4"), ("c1", "rhel7")])
        let setup = try run(sandbox, controller: "ctl", computes: ["c1"])
        XCTAssertEqual(setup.status, 0, setup.output)
        let clean = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--verify-only"])
        XCTAssertEqual(clean.status, 0, clean.output)
        let address = try sandbox.host(named: "c1").address
        _ = try sandbox.exec("ctl", "iptables -D INPUT -s \(address)/32 -p tcp -m state --state NEW -m tcp --dport 2049 -j ACCEPT")
        _ = try sandbox.exec("c1", "systemctl stop libvirtd")
        let before = try sandbox.hosts.map { try snapshot(sandbox, $0) }
        let result = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--verify-only"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("the NFS server's ports in effect are open to c1 (blocked: 2049"), result.output)
        XCTAssertTrue(result.output.contains("ctl reaches libvirtd on c1"), result.output)
        XCTAssertEqual(try sandbox.hosts.map { try snapshot(sandbox, $0) }, before, "--verify-only changes nothing")
    }

    // MARK: - Round trips

    /// A no-change run opens one connection per host.
    func testNoChangeRunCostsOneConnectionPerHost() throws {
        let sandbox = try start([("ctl", "rhel7"), ("c1", "rhel6")])
        XCTAssertEqual(try run(sandbox, controller: "ctl", computes: ["c1"]).status, 0)
        let result = try run(sandbox, controller: "ctl", computes: ["c1"], extra: ["--json"])
        XCTAssertEqual(result.status, 0, result.output)
        for (name, host) in try report(result) {
            let stats = host["stats"] as? [String: Int] ?? [:]
            XCTAssertEqual(stats["connections"], 1, "\(name): one connection")
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
