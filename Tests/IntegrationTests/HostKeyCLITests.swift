import Foundation
import TestSupport
import XCTest

/// A changed host key as the operator sees it in a whole `crucible-sh run`: a warning about
/// a possible attack, never "unreachable", the other hosts unaffected, exit status 1.
final class HostKeyCLITests: XCTestCase {
    var sandbox: Sandbox?
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-hostkey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        sandbox = try Sandbox.start(name: "hostkey-cli", hosts: [("good", "rhel7"), ("evil", "rhel7")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: tmp)
    }

    func testAChangedHostKeyIsReportedAsAPossibleAttackNotAsUnreachable() throws {
        let sandbox = try XCTUnwrap(sandbox)
        let good = try sandbox.host(named: "good"), evil = try sandbox.host(named: "evil")
        let impostor = tmp.appendingPathComponent("impostor").path
        _ = try Subprocess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", impostor])
        let impostorKey = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ")
        let knownHosts = tmp.appendingPathComponent("known_hosts").path
        try "\(good.knownHostsLine)\n\(evil.address) \(impostorKey[0]) \(impostorKey[1])\n"
            .write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let recipe = tmp.appendingPathComponent("hosts.crucible").path
        try "on [\"good\", \"evil\"] {\n  run \"true\"\n}\n".write(toFile: recipe, atomically: true, encoding: .utf8)

        let result = try CrucibleProcess.run(["run", recipe, "--ssh-config", sandbox.sshConfig, "--known-hosts", knownHosts,
                                              "--accept-new-host-keys", "--lock-path", "/tmp/crucible-hostkey-cli.lock"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertFalse(result.output.contains("UNREACHABLE"), result.output)
        XCTAssertFalse(result.output.contains("unreachable:"), result.output)
        XCTAssertTrue(result.stdout.contains("[evil] HOST KEY REFUSED: evil: host key: WARNING: the host key of \(evil.address) has changed"),
                      result.output)
        XCTAssertTrue(result.stdout.contains("Someone could be eavesdropping on you right now (man-in-the-middle attack)"), result.output)
        XCTAssertTrue(result.stdout.contains("known_hosts line \(knownHosts):2"), result.output)
        XCTAssertTrue(result.stdout.contains("ssh-keygen -R \(evil.address) -f \(knownHosts)"), result.output)
        let recap = try XCTUnwrap(result.stdout.components(separatedBy: "RECAP\n").last)
        XCTAssertTrue(recap.contains("host    ok  changed  failed  unreachable\n"), recap)
        XCTAssertTrue(recap.contains("\ngood     0        1       0            0\n"), recap)
        XCTAssertTrue(recap.contains("\nevil     0        0       1            0\n  evil: host key: WARNING: the host key of"), recap)
        XCTAssertEqual(try String(contentsOfFile: knownHosts, encoding: .utf8).split(separator: "\n").count, 2,
                       "accept-new recorded nothing")

        // The JSON report names the refusal too, not "unreachable".
        let json = try CrucibleProcess.run(["run", recipe, "--ssh-config", sandbox.sshConfig, "--known-hosts", knownHosts,
                                            "--json", "--lock-path", "/tmp/crucible-hostkey-cli.lock"])
        XCTAssertEqual(json.status, 1, json.output)
        XCTAssertTrue(json.stdout.contains(#""status":"host_key_refused""#) || json.stdout.contains(#""status" : "host_key_refused""#), json.stdout)
    }
}
