import Foundation
import XCTest
import TestSupport

/// `--check` predicts the real run on a sandbox host (the release's units and stubs, over
/// real SSH): a service an earlier op would start reads as running, a drop-in an earlier op
/// would write needs a daemon-reload, and `--detailed-exitcode` tells pending changes apart
/// from none. Each case runs the recipe in check mode, then for real, and compares them.
final class CheckModeSandboxTests: XCTestCase {
    var sandbox: Sandbox?
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-checksb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: tmp)
    }

    func run(_ recipe: String, on sandbox: Sandbox, _ extra: [String]) throws -> (result: CrucibleProcess.Result, ops: [[String: Any]]) {
        let file = tmp.appendingPathComponent("check.crucible")
        try recipe.write(to: file, atomically: true, encoding: .utf8)
        let result = try CrucibleProcess.run(["run", file.path, "--set", "node=n1", "--ssh-config", sandbox.sshConfig, "--json"] + extra)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let host = (json?["hosts"] as? [[String: Any]])?.first
        return (result, host?["ops"] as? [[String: Any]] ?? [])
    }

    func shown(_ ops: [[String: Any]]) -> [String] {
        ops.map { "\($0["op"] ?? "") \($0["status"] ?? "") \(($0["commands"] as? [String] ?? []).joined(separator: "; "))" }
    }

    func testServicesAndDropInsArePlannedOnWhatTheOpsBeforeThemWouldLeave() throws {
        let sandbox = try Sandbox.start(name: "CheckModeSB", hosts: [("n1", "rhel7")])
        self.sandbox = sandbox
        let recipe = """
            param node: host
            on node {
              service "rpcbind" state: "stopped"
              service "rpcbind" state: "running" enabled: true
              service "rpcbind" state: "running" enabled: true
              let dropin = systemd-dropin "rpcbind" content: "[Unit]\\nDescription=rpcbind for crucible's check-mode test\\n"
              daemon-reload "rpcbind"
              daemon-reload "rpcbind"
              if dropin.changed { log("the drop-in changed") }
            }
            """
        func changes() throws -> [String] {
            try sandbox.calls("n1").filter { ["systemctl start", "systemctl stop", "systemctl enable", "systemctl daemon-reload"].contains(where: $0.hasPrefix) }
        }
        let changesBefore = try changes()
        let (check, planned) = try run(recipe, on: sandbox, ["--check", "--detailed-exitcode"])
        XCTAssertEqual(check.status, 3, "changes pending\n" + check.output)
        XCTAssertEqual(try changes(), changesBefore, "check mode started, enabled and reloaded nothing")
        // rpcbind is stopped and disabled on a fresh host: starting it is the change.
        XCTAssertEqual(planned.map { $0["status"] as? String ?? "" }, ["ok", "changed", "ok", "changed", "changed", "ok"],
                       check.output)

        let (real, applied) = try run(recipe, on: sandbox, [])
        XCTAssertEqual(real.status, 0, real.output)
        XCTAssertEqual(shown(planned), shown(applied), "the dry run showed what the real run did")
        XCTAssertTrue(try sandbox.calls("n1").contains("systemctl daemon-reload"), "the drop-in was taken in")

        let (settled, again) = try run(recipe, on: sandbox, ["--check", "--detailed-exitcode"])
        XCTAssertEqual(settled.status, 3, "`stopped` then `running` stops and starts every time\n" + settled.output)
        XCTAssertEqual(again.map { $0["status"] as? String ?? "" }, ["changed", "changed", "ok", "ok", "ok", "ok"], settled.output)
    }
}
