import XCTest
import Interpreter
@testable import Stdlib

/// A run cut between `iptables -I` and the save leaves the rules live but not saved: the
/// next open-port finds every port open, and must still save them, or a reboot loses them.
/// The shell test that decides it runs here against real files (the live rules of this
/// machine's namespace are not touched: the test feeds the rules through a stand-in
/// `iptables-save` first in PATH).
final class OpenPortSavedRulesTests: XCTestCase {
    static let open = IptablesRuleset.parse("""
        *filter
        :INPUT ACCEPT [0:0]
        -A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT
        -A INPUT -j REJECT --reject-with icmp-host-prohibited
        COMMIT

        """)

    func testOpenPortsWhoseRulesAreNotSavedAreSaved() throws {
        let plan = try OpenPortIptables.plan(.init(ranges: [PortRange(16509, proto: "tcp")]), ruleset: Self.open,
                                             persistence: .serviceSave, savedFileInSync: false)
        XCTAssertEqual(plan.actions.count, 1)
        guard case .run(let command, let summary, _)? = plan.actions.first else { return XCTFail("\(plan.actions)") }
        XCTAssertEqual(command, "service iptables save")
        XCTAssertTrue(summary.contains("/etc/sysconfig/iptables lacks some"), summary)
    }

    func testOpenPortsWhoseRulesAreSavedChangeNothing() throws {
        let plan = try OpenPortIptables.plan(.init(ranges: [PortRange(16509, proto: "tcp")]), ruleset: Self.open,
                                             persistence: .serviceSave, savedFileInSync: true)
        XCTAssertTrue(plan.actions.isEmpty, "\(plan.actions)")
    }

    func testTheShellTestComparesTheLiveInputRulesWithTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-saved-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = "*filter\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 16509 -j ACCEPT\nCOMMIT\n"
        try "#!/bin/sh\nprintf '%s' '\(live)'\n".write(to: dir.appendingPathComponent("iptables-save"), atomically: true, encoding: .utf8)
        chmod(dir.appendingPathComponent("iptables-save").path, 0o755)
        let saved = dir.appendingPathComponent("iptables").path
        func inSync() throws -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "PATH=\(dir.path):/usr/bin:/bin; " + IptablesPersistence.holdsLiveInputRules(saved)]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        XCTAssertFalse(try inSync(), "no saved file")
        try "*filter\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n".write(toFile: saved, atomically: true, encoding: .utf8)
        XCTAssertFalse(try inSync(), "the saved file lacks the 16509 rule")
        try live.write(toFile: saved, atomically: true, encoding: .utf8)
        XCTAssertTrue(try inSync(), "the saved file has every live INPUT rule")
    }
}
