import Foundation
import TestSupport
import XCTest

/// Proves the sandbox itself: real sshd hosts in namespaces with the fixture's identity, a shared
/// view of each host's /etc, per-namespace iptables, recording stubs (for systemd and NFS, which
/// this machine cannot run), sshd that can be stopped and started, and a tear-down that leaves
/// this machine as it was. The SSH here is OpenSSH's own client, to test the sandbox without
/// depending on crucible's transport.
final class SandboxTests: XCTestCase {
    var sandbox: Sandbox!

    override func setUpWithError() throws {
        sandbox = try Sandbox.start(name: "SandboxTests", hosts: [("ctl", "rhel7"), ("c1", "rhel7"), ("c2", "rhel6")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
    }

    // MARK: - Identity

    func testEveryHostAnswersOverSSHWithItsFixtureRelease() throws {
        XCTAssertEqual(sandbox.hosts.map(\.name), ["ctl", "c1", "c2"])
        XCTAssertEqual(Set(sandbox.hosts.map(\.address)).count, 3, "each host has its own address")
        for host in sandbox.hosts {
            let result = try ssh(host, "cat /etc/redhat-release")
            XCTAssertEqual(result.status, 0, "\(host.name): \(result.output)")
            XCTAssertEqual(result.output, try fixture(host.distro, "etc/redhat-release"), host.name)
            XCTAssertEqual(try ssh(host, "hostname").output, host.name + "\n")
        }
    }

    func testDistributionIdentityFilesAreTheFixturesOnly() throws {
        let rhel6 = try sandbox.host(named: "c2")
        let rhel7 = try sandbox.host(named: "ctl")
        XCTAssertEqual(try ssh(rhel6, "test -e /etc/os-release").status, 1, "RHEL 6 has no os-release")
        XCTAssertEqual(try ssh(rhel6, "test -e /etc/debian_version").status, 1)
        XCTAssertEqual(try ssh(rhel7, "test -e /etc/debian_version").status, 1)
        XCTAssertEqual(try ssh(rhel7, "test -L /etc/os-release").status, 1, "a regular file, not Debian's link")
        XCTAssertEqual(try ssh(rhel7, "cat /etc/os-release").output, try fixture("rhel7", "etc/os-release"))
        XCTAssertEqual(try ssh(rhel7, "cat /etc/hostname").output, "ctl\n")
        XCTAssertEqual(try ssh(rhel6, "test -e /etc/hostname").status, 1, "RHEL 6 names itself in sysconfig/network")
    }

    func testSystemdDirectoryOnlyOnSystemdDistributions() throws {
        XCTAssertEqual(try ssh(try sandbox.host(named: "ctl"), "test -d /run/systemd/system").status, 0)
        XCTAssertEqual(try ssh(try sandbox.host(named: "c2"), "test -e /run/systemd/system").status, 1)
        XCTAssertEqual(try ssh(try sandbox.host(named: "c2"), "command -v systemctl").status, 1,
                       "RHEL 6 has no systemctl, not even this machine's")
    }

    func testNovaAccountAndPrivateVarLibNova() throws {
        for host in sandbox.hosts {
            XCTAssertEqual(try ssh(host, "id -u nova; id -g nova").output, "162\n162\n", host.name)
        }
        let marker = "made-by-\(sandbox.name)"
        XCTAssertEqual(try ssh(try sandbox.host(named: "c1"), "touch /var/lib/nova/\(marker)").status, 0)
        XCTAssertEqual(try ssh(try sandbox.host(named: "c1"), "test -f /var/lib/nova/\(marker)").status, 0)
        XCTAssertEqual(try ssh(try sandbox.host(named: "c2"), "test -e /var/lib/nova/\(marker)").status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/var/lib/nova/\(marker)"))
    }

    // MARK: - /etc shared with the test

    func testEtcWrittenOnEitherSideIsSeenOnTheOther() throws {
        let host = try sandbox.host(named: "ctl")
        try "from the test\n".write(toFile: host.etcPath("crucible-probe"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try ssh(host, "cat /etc/crucible-probe").output, "from the test\n")

        XCTAssertEqual(try ssh(host, "echo from the host > /etc/crucible-reply").status, 0)
        XCTAssertEqual(try String(contentsOfFile: host.etcPath("crucible-reply"), encoding: .utf8), "from the host\n")

        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/crucible-probe"), "the real /etc is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/crucible-reply"))
        XCTAssertEqual(try ssh(try sandbox.host(named: "c1"), "test -e /etc/crucible-reply").status, 1,
                       "another host has its own /etc")
    }

    // MARK: - Stubs

    func testStubCallsAreRecordedAndTheirStateAnswers() throws {
        let rhel7 = try sandbox.host(named: "ctl")
        // A fresh RHEL 7.0 host does not run the NFS server (nfs.target is not enabled by nfs-utils).
        XCTAssertEqual(try ssh(rhel7, "systemctl is-active nfs-server"), Result(status: 3, output: "inactive\n"))
        XCTAssertEqual(try ssh(rhel7, "systemctl enable --now nfs-server").status, 0)
        XCTAssertEqual(try ssh(rhel7, "systemctl is-active nfs-server"), Result(status: 0, output: "active\n"))
        XCTAssertEqual(try ssh(rhel7, "systemctl is-enabled nfs-server.service"), Result(status: 0, output: "enabled\n"))
        XCTAssertEqual(try sandbox.calls("ctl"), [
            "systemctl is-active nfs-server", "systemctl enable --now nfs-server",
            "systemctl is-active nfs-server", "systemctl is-enabled nfs-server.service",
        ])
        XCTAssertTrue(FileManager.default.fileExists(atPath: rhel7.state + "/services/nfs-server.active"))

        let rhel6 = try sandbox.host(named: "c2")
        XCTAssertEqual(try ssh(rhel6, "getsebool virt_use_nfs").output, "virt_use_nfs --> off\n")
        XCTAssertEqual(try ssh(rhel6, "setsebool -P virt_use_nfs 1").status, 0)
        XCTAssertEqual(try ssh(rhel6, "getsebool virt_use_nfs").output, "virt_use_nfs --> on\n")
        XCTAssertEqual(try ssh(rhel6, "chkconfig nfs").status, 1, "not enabled yet")
        XCTAssertEqual(try ssh(rhel6, "chkconfig nfs on && chkconfig nfs").status, 0)
        XCTAssertEqual(try ssh(rhel6, "chkconfig --list nfs").output,
                       "nfs            \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n")
        XCTAssertTrue(try sandbox.calls("c2").contains("setsebool -P virt_use_nfs 1"))
    }

    func testMountStubMountsNFSEntriesOfFstab() throws {
        let host = try sandbox.host(named: "c1")
        let server = try sandbox.host(named: "ctl")
        // ctl exports /var/lib/nova/instances to c1 and lets NFSv4 (2049/tcp) through its firewall.
        try (try String(contentsOfFile: host.etcPath("hosts"), encoding: .utf8) + "\(server.address) ctl\n")
            .write(toFile: host.etcPath("hosts"), atomically: true, encoding: .utf8)
        try "/var/lib/nova/instances \(host.address)(rw,sync,no_root_squash)\n"
            .write(toFile: server.etcPath("exports"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try ssh(server, "mkdir /var/lib/nova/instances && systemctl start nfs-server && iptables -I INPUT 5 -p tcp --dport 2049 -j ACCEPT").status, 0)

        let entry = "ctl:/var/lib/nova/instances /var/lib/nova/instances nfs4 defaults,_netdev 0 0\n"
        try (try String(contentsOfFile: host.etcPath("fstab"), encoding: .utf8) + entry)
            .write(toFile: host.etcPath("fstab"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try ssh(host, "mount /var/lib/nova/instances").status, 32, "no mount point yet")
        XCTAssertEqual(try ssh(host, "mkdir /var/lib/nova/instances && mount /var/lib/nova/instances").status, 0)
        XCTAssertEqual(try ssh(host, "mount /var/lib/nova/instances").status, 32, "already mounted")
        XCTAssertEqual(try String(contentsOfFile: host.state + "/mounts", encoding: .utf8),
                       "ctl:/var/lib/nova/instances /var/lib/nova/instances nfs4 defaults,_netdev,vers=4,addr=\(server.address)\n")
        XCTAssertTrue(try ssh(host, "mount").output.hasSuffix(
            "ctl:/var/lib/nova/instances on /var/lib/nova/instances type nfs4 (defaults,_netdev,vers=4,addr=\(server.address))\n"))
    }

    // MARK: - iptables

    func testIptablesIsTheFixturesInsideTheHostAndTheMachinesRulesAreUntouched() throws {
        let before = try rootNamespaceRules()
        let host = try sandbox.host(named: "ctl")
        let rules = try run("/usr/sbin/ip", ["netns", "exec", host.netns, "iptables-save"])
        XCTAssertEqual(rules.status, 0, rules.output)
        XCTAssertTrue(rules.output.contains("-A INPUT -j REJECT --reject-with icmp-host-prohibited\n"), rules.output)

        XCTAssertEqual(try ssh(host, "iptables -I INPUT 5 -p tcp --dport 16509 -j ACCEPT").status, 0)
        XCTAssertTrue(try run("/usr/sbin/ip", ["netns", "exec", host.netns, "iptables-save"]).output.contains("--dport 16509"))
        XCTAssertFalse(try run("/usr/sbin/ip", ["netns", "exec", try sandbox.host(named: "c1").netns, "iptables-save"])
            .output.contains("--dport 16509"), "another host has its own rules")
        XCTAssertEqual(try rootNamespaceRules(), before, "this machine's own rules are not touched")
    }

    func testServiceIptablesSaveWritesTheRealRulesToSysconfig() throws {
        let host = try sandbox.host(named: "c2")
        let stock = try fixture("rhel6", "etc/sysconfig/iptables")
        let result = try ssh(host, "iptables -I INPUT 5 -p tcp --dport 16509 -j ACCEPT && service iptables save")
        XCTAssertEqual(result.status, 0, result.output)
        let saved = try String(contentsOfFile: host.etcPath("sysconfig/iptables"), encoding: .utf8)
        XCTAssertTrue(saved.contains("-A INPUT -p tcp -m tcp --dport 16509 -j ACCEPT\n"), saved)
        XCTAssertTrue(saved.contains("-A INPUT -j REJECT --reject-with icmp-host-prohibited\n"), saved)
        XCTAssertEqual(try fixture("rhel6", "etc/sysconfig/iptables"), stock, "the fixture's bytes stay as they were")
        XCTAssertTrue(try sandbox.calls("c2").contains("service iptables save"))
    }

    // MARK: - sshd and tear-down

    func testStoppedSSHDRefusesConnectionsAndStartsAgain() throws {
        let before = try sandbox.host(named: "c1")
        try sandbox.stopSSHD("c1")
        let refused = try ssh(before, "true")
        XCTAssertEqual(refused.status, 255)
        XCTAssertTrue(refused.output.contains("Connection refused"), refused.output)
        XCTAssertEqual(try ssh(try sandbox.host(named: "ctl"), "true").status, 0, "the other hosts keep running")

        try sandbox.startSSHD("c1")
        let after = try sandbox.host(named: "c1")
        XCTAssertNotEqual(after.sshdPID, before.sshdPID)
        XCTAssertEqual(try ssh(after, "cat /etc/redhat-release").output, try fixture("rhel7", "etc/redhat-release"))
    }

    func testExecRunsInsideTheHost() throws {
        let result = try sandbox.exec("c2", "hostname; test -e /etc/os-release || echo no-os-release")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "c2\nno-os-release\n")
        XCTAssertEqual(try sandbox.exec("c2", "exit 7").status, 7)
    }

    func testDownRemovesNamespacesMountsAndProcesses() throws {
        let hosts = sandbox.hosts
        XCTAssertFalse(try ourMounts().isEmpty)
        for host in hosts { XCTAssertTrue(processIsRunning(host.sshdPID), host.name) }

        try sandbox.stop()

        let namespaces = try run("/usr/sbin/ip", ["netns", "list"]).output
        for host in hosts {
            XCTAssertFalse(namespaces.contains(host.netns), host.netns)
            XCTAssertFalse(processIsRunning(host.sshdPID), "sshd of \(host.name)")
        }
        XCTAssertEqual(try ourMounts(), [], "no overlay of this sandbox is left mounted")
        try sandbox.stop()  // a second stop is harmless
    }

    func testStartRemovesTheSandboxAKilledEarlierRunLeftBehind() throws {
        let deadPID = (1..<4_000_000).reversed().first { !FileManager.default.fileExists(atPath: "/proc/\($0)") }!
        let leftover = "SandboxLeftover_" + String(deadPID, radix: 36)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/sandbox").path
        let up = try run(script, ["up", leftover, "/tmp/crucible-sb/" + leftover, "old=rhel7"])
        XCTAssertEqual(up.status, 0, up.output)
        XCTAssertTrue(try run("/usr/sbin/ip", ["netns", "list"]).output.contains("crsb-\(leftover)-old"))

        let fresh = try Sandbox.start(name: "SandboxLeftover", hosts: [("new", "rhel6")])
        defer { try? fresh.stop() }
        let namespaces = try run("/usr/sbin/ip", ["netns", "list"]).output
        XCTAssertFalse(namespaces.contains("crsb-\(leftover)-old"), "the dead run's host is gone")
        XCTAssertTrue(namespaces.contains(try fresh.host(named: "new").netns))
        XCTAssertFalse(try allMounts().contains("/" + leftover + "/"))
    }

    // MARK: - Helpers

    struct Result: Equatable {
        let status: Int32
        let output: String
    }

    /// OpenSSH's client, with the sandbox's key and known_hosts and strict host-key checking.
    func ssh(_ host: SandboxHost, _ command: String) throws -> Result {
        try run("/usr/bin/ssh", [
            "-F", "/dev/null", "-i", sandbox.identity, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=\(sandbox.knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
            "-o", "LogLevel=ERROR", "-p", String(host.port), "root@\(host.address)", command,
        ])
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let outcome = try Subprocess.run(executable, arguments)
        return Result(status: outcome.status, output: outcome.output)
    }

    func fixture(_ distro: String, _ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Fixtures/\(distro)/\(path)"), encoding: .utf8)
    }

    /// The root namespace's rules without iptables-save's timestamped comment lines.
    func rootNamespaceRules() throws -> String {
        let saved = try run("/usr/sbin/iptables-save", [])
        XCTAssertEqual(saved.status, 0, saved.output)
        return saved.output.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }

    /// Mount points in this namespace below the sandbox's folder.
    /// Read to the end: String(contentsOfFile:) stops early on /proc files, which report size 0.
    func allMounts() throws -> String {
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/mounts"))
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    func ourMounts() throws -> [String] {
        let mounts = try allMounts()
        return mounts.split(separator: "\n").map { String($0.split(separator: " ")[1]) }
            .filter { $0.hasPrefix(sandbox.directory + "/") }
    }

    /// Alive and not a zombie waiting to be reaped.
    func processIsRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
        return state != "Z" && state != "X"
    }
}
