import Foundation
import TestSupport
import XCTest

/// `crucible-sh run` reaches what `ssh ALIAS` reaches, on sandbox hosts: an alias defined in
/// an Include'd file, a host whose own firewall admits SSH only from a jump host, a chain of
/// two jumps, and `--limit` (the other hosts' facts are read without their lock).
final class SSHReachTests: XCTestCase {
    var sandbox: Sandbox!
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-reach-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("conf.d"), withIntermediateDirectories: true)
        sandbox = try Sandbox.start(name: "reach", hosts: [("bastion", "rhel7"), ("inner", "rhel7"), ("far", "rhel6")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: tmp)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Lets `host` accept SSH from `peer` only, with the host's own iptables.
    func admitSSHOnlyFrom(_ peer: String, on host: String) throws {
        let address = try sandbox.host(named: peer).address
        let result = try sandbox.exec(host, "iptables -I INPUT 1 -p tcp --dport 22 ! -s \(address) -j REJECT")
        XCTAssertEqual(result.status, 0, result.output)
    }

    func acceptedLogins(_ host: String) throws -> Int {
        let log = try String(contentsOfFile: try sandbox.host(named: host).sshdLog, encoding: .utf8)
        return log.split(whereSeparator: \.isNewline).filter { $0.contains("Accepted publickey") }.count
    }

    func testIncludedAliasesAndJumpHostsThroughHostFirewalls() throws {
        try admitSSHOnlyFrom("bastion", on: "inner")
        try admitSSHOnlyFrom("inner", on: "far")
        let inner = try sandbox.host(named: "inner"), far = try sandbox.host(named: "far")
        _ = try write("conf.d/lab.conf", """
            Host lab-inner
              HostName \(inner.address)
              ProxyJump bastion
            Host lab-far
              HostName \(far.address)
              ProxyJump bastion,inner
            """)
        let config = try write("config", """
            Include \(tmp.path)/conf.d/*.conf
            Include \(sandbox.sshConfig)
            Host lab-*
              User root
              IdentityFile \(sandbox.identity)
              UserKnownHostsFile \(sandbox.knownHosts)
            """)
        let recipe = try write("reach.crucible", """
            on ["lab-inner", "lab-far"] {
              ensure-line "/etc/crucible-reach" "reached ${facts().hostname}" create: true
            }
            """)
        let direct = try CrucibleProcess.run(["run", try write("direct.crucible", "on \"inner\" {\n  run \"true\"\n}\n"),
                                              "--ssh-config", config])
        XCTAssertEqual(direct.status, 1, direct.output)
        XCTAssertTrue(direct.output.contains("cannot connect to \(inner.address) port 22: Connection refused"), direct.output)

        let result = try CrucibleProcess.run(["run", recipe, "--ssh-config", config])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try String(contentsOfFile: inner.etcPath("crucible-reach"), encoding: .utf8), "reached inner\n")
        XCTAssertEqual(try String(contentsOfFile: far.etcPath("crucible-reach"), encoding: .utf8), "reached far\n")
        XCTAssertEqual(try acceptedLogins("bastion"), 1, "one connection to the jump host, shared by both hosts behind it")
        XCTAssertEqual(try acceptedLogins("far"), 1)
    }

    func testAJumpHostThatCannotReachTheTargetSaysWhich() throws {
        try admitSSHOnlyFrom("inner", on: "far")
        let far = try sandbox.host(named: "far")
        let config = try write("config", """
            Include \(sandbox.sshConfig)
            Host wrong-way
              HostName \(far.address)
              ProxyJump bastion
              User root
              IdentityFile \(sandbox.identity)
              UserKnownHostsFile \(sandbox.knownHosts)
            """)
        let result = try CrucibleProcess.run(["run", try write("r.crucible", "on \"wrong-way\" {\n  run \"true\"\n}\n"),
                                              "--ssh-config", config])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("wrong-way: unreachable: bastion, the jump host, cannot open a connection to \(far.address) port 22"),
                      result.output)
    }

    func testLimitRunsOnSomeHostsAndReadsTheOthersFactsWithoutTheirLock() throws {
        // Another run holds inner's lock: a run limited to bastion must not need it.
        let held = try sandbox.exec("inner", "mkdir /var/lock/crucible.lock && echo 'another run' > /var/lock/crucible.lock/owner")
        XCTAssertEqual(held.status, 0, held.output)
        let recipe = try write("limit.crucible", """
            on ["bastion", "inner"] {
              let peer = facts("inner")
              ensure-line "/etc/crucible-limit" "peer ${peer.hostname}" create: true
            }
            """)
        let result = try CrucibleProcess.run(["run", recipe, "--ssh-config", sandbox.sshConfig, "--limit", "bastion", "--no-wait"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("skipped inner (not in --limit)"), result.output)
        XCTAssertEqual(try String(contentsOfFile: try sandbox.host(named: "bastion").etcPath("crucible-limit"), encoding: .utf8),
                       "peer inner\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: try sandbox.host(named: "inner").etcPath("crucible-limit")))
        XCTAssertEqual(try sandbox.exec("inner", "cat /var/lock/crucible.lock/owner").output, "another run\n", "inner's lock untouched")
        let recap = try XCTUnwrap(result.stdout.components(separatedBy: "RECAP\n").last)
        XCTAssertFalse(recap.contains("inner"), recap)

        let typo = try CrucibleProcess.run(["run", recipe, "--ssh-config", sandbox.sshConfig, "--limit", "bastoin"])
        XCTAssertEqual(typo.status, 1, typo.output)
        XCTAssertTrue(typo.output.contains("--limit names bastoin, which no `on` block of this run ran on"), typo.output)
    }
}
