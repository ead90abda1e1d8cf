import Foundation
import TestSupport
import XCTest

/// `crucible-sh repl HOST` over real SSH against sandbox hosts (their own network
/// namespaces, sshd, RHEL 7 and RHEL 6 fixture files), stdin piped: facts, an op with
/// its diff, a multi-line block, errors that keep the session, check mode, switching
/// hosts, and a dropped connection that the next entry recovers from.
final class ReplSSHTests: XCTestCase {
    var sandbox: Sandbox?
    var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-repl-ssh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        sandbox = try Sandbox.start(name: "repl", hosts: [("r7", "rhel7"), ("r6", "rhel6")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: home)
    }

    func testAPipedSessionOverSSH() throws {
        let sandbox = try XCTUnwrap(sandbox)
        let r7 = try sandbox.host(named: "r7")
        let libvirtd = r7.etcPath("libvirt/libvirtd.conf")
        let stockLibvirtd = try String(contentsOfFile: libvirtd, encoding: .utf8)
        let stockHosts = try String(contentsOfFile: r7.etcPath("hosts"), encoding: .utf8)
        let script = """
            :facts
            facts().major_version
            let conf = "/etc/libvirt/libvirtd.conf"
            edit-ini conf {
              listen_tcp = 1
            }
            edit-ini conf { listen_tcp = 1 }
            edit-inii conf { listen_tcp = 1 }
            run("echo nope >&2; exit 5")
            :check on
            ensure-line "/etc/hosts" "10.9.9.9 r9"
            :check off
            "${host.name} ${conf}"
            :connect r6
            facts().major_version
            :hosts
            """
        let result = try CrucibleProcess.run(["repl", "r7", "--ssh-config", sandbox.sshConfig],
                                             environment: ["HOME": home.path], stdin: script)
        XCTAssertEqual(result.status, 1, "two entries failed:\n\(result.output)")
        let out = result.stdout
        XCTAssertFalse(out.contains("crucible@"), "no prompts when stdin is a pipe")
        XCTAssertTrue(out.contains(#"distribution       = "rhel""#) && out.contains(#"hostname           = "r7""#), out)
        XCTAssertTrue(out.contains("\n7\n"), "facts of the RHEL 7 host:\n\(out)")
        XCTAssertTrue(out.contains("changed edit-ini\n--- /etc/libvirt/libvirtd.conf"), out)
        XCTAssertTrue(out.contains("+listen_tcp = 1"), out)
        XCTAssertTrue(out.contains("ok edit-ini"), "the second edit finds nothing to do:\n\(out)")
        XCTAssertTrue(out.contains("changed ensure-line (check mode: not applied)\n--- /etc/hosts"), out)
        XCTAssertTrue(out.contains("+10.9.9.9 r9"), out)
        XCTAssertTrue(out.contains(#""r7 /etc/libvirt/libvirtd.conf""#), out)
        XCTAssertTrue(out.contains("connected to r6\n6\n"), "`let` survives the switch and facts are r6's:\n\(out)")
        XCTAssertTrue(out.hasSuffix("  r7\n* r6\n"), "both hosts listed, the current one marked:\n\(out)")
        XCTAssertTrue(result.stderr.contains("did you mean `edit-ini`?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("exit status 5): nope"), result.stderr)

        let libvirtdNow = try String(contentsOfFile: libvirtd, encoding: .utf8)
        XCTAssertNotEqual(libvirtdNow, stockLibvirtd)
        XCTAssertTrue(libvirtdNow.contains("\nlisten_tcp = 1\n"), libvirtdNow)
        XCTAssertEqual(try String(contentsOfFile: r7.etcPath("hosts"), encoding: .utf8), stockHosts, "check mode wrote nothing")
    }

    func testADroppedConnectionIsReportedAndTheNextEntryConnectsAgain() throws {
        let sandbox = try XCTUnwrap(sandbox)
        let r7 = try sandbox.host(named: "r7")
        let repl = try ReplProcess(["repl", "r7", "--ssh-config", sandbox.sshConfig], home: home.path)
        repl.send(#""first ${facts().hostname}""#)
        repl.waitFor(#""first r7""#)

        // Drop the session: end the sshd process serving our connection (a child of the
        // host's listener), the way a reboot or a network cut would.
        let children = sessionProcesses(of: r7.sshdPID)
        XCTAssertFalse(children.isEmpty, "the REPL's connection has an sshd process")
        for pid in children { kill(pid, SIGKILL) }

        repl.send(#"ensure-line "/etc/hosts" "10.1.1.1 after-drop""#)
        repl.waitFor("the next entry connects again")
        repl.send(#"ensure-line "/etc/hosts" "10.1.1.1 after-drop""#)
        repl.waitFor("+10.1.1.1 after-drop")
        repl.send(#""still ${host.name}""#)
        repl.waitFor(#""still r7""#)
        XCTAssertEqual(repl.finish(), 1, "the dropped entry counts as a failure")
        XCTAssertTrue(try String(contentsOfFile: r7.etcPath("hosts"), encoding: .utf8).hasSuffix("10.1.1.1 after-drop\n"))
    }

    /// The processes the host's sshd listener forked for connections.
    func sessionProcesses(of listener: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == listener
        }
    }
}
