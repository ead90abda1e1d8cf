import XCTest
import Interpreter
@testable import Stdlib

/// open-port's decisions from canned state: port arguments, persistence per host, and the
/// firewalld path (a scripted transport stands in for firewalld, which this machine cannot
/// run; the iptables path runs against real iptables in OpenPortNamespaceTests).
final class OpenPortPlanTests: XCTestCase {
    func testPortArguments() throws {
        XCTAssertEqual(try PortRange.parse(.list([.int(111), .string("49152-49261"), .string("662,875")]),
                                           protocols: ["tcp"]).map(\.description),
                       ["111/tcp", "49152-49261/tcp", "662/tcp", "875/tcp"])
        XCTAssertEqual(try PortRange.parse(.int(2049), protocols: try PortRange.protocols("both")).map(\.description),
                       ["2049/tcp", "2049/udp"])
        XCTAssertEqual(try PortRange.parse(.string("10:20"), protocols: ["udp"]).first?.iptablesPort, "10:20")
        for bad: Value in [.int(0), .int(70000), .string("20-10"), .string("ssh"), .list([]), .bool(true), .string("1-2-3")] {
            XCTAssertThrowsError(try PortRange.parse(bad, protocols: ["tcp"]), bad.literal)
        }
        XCTAssertThrowsError(try PortRange.protocols("sctp"))
    }

    func testPersistenceFollowsTheHost() {
        let none: [String: String] = ["persist_initscript": "no", "persist_sysconfig": "no", "persist_debian": "no"]
        XCTAssertEqual(IptablesPersistence.choose(facts: CannedFacts.rhel6, probe: none), .serviceSave)
        XCTAssertEqual(IptablesPersistence.choose(facts: CannedFacts.rhel7, probe: ["persist_initscript": "yes", "persist_sysconfig": "yes"]),
                       .initScript)
        XCTAssertEqual(IptablesPersistence.choose(facts: CannedFacts.rhel7, probe: ["persist_sysconfig": "yes"]),
                       .file("/etc/sysconfig/iptables"))
        XCTAssertEqual(IptablesPersistence.choose(facts: CannedFacts.rhel7, probe: ["persist_debian": "yes"]),
                       .file("/etc/iptables/rules.v4"))
        XCTAssertEqual(IptablesPersistence.choose(facts: CannedFacts.rhel7, probe: none), .none)
        XCTAssertEqual(IptablesPersistence.file("/etc/sysconfig/iptables").command,
                       AtomicWrite.savingOutput(of: ["iptables-save"], to: "/etc/sysconfig/iptables", backup: nil))
        XCTAssertEqual(IptablesPersistence.file("/etc/sysconfig/iptables").command(backup: true),
                       AtomicWrite.savingOutput(of: ["iptables-save"], to: "/etc/sysconfig/iptables", backup: "/etc/sysconfig/iptables.crucible~"))
        XCTAssertEqual(IptablesPersistence.serviceSave.command(backup: true),
                       AtomicWrite.keepingBackup(of: "/etc/sysconfig/iptables", as: "/etc/sysconfig/iptables.crucible~",
                                                 running: ["service", "iptables", "save"]))
        XCTAssertEqual(IptablesPersistence.initScript.command, "/usr/libexec/iptables/iptables.init save")
    }

    func testWithoutACatchAllRulesAreAppended() throws {
        let ruleset = IptablesRuleset.parse("*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n")
        let plan = try OpenPortIptables.plan(.init(ranges: [PortRange(16509, proto: "tcp")]), ruleset: ruleset, persistence: .none)
        XCTAssertEqual(plan.actions.count, 1)
        guard case .run(let command, _, _) = plan.actions[0] else { return XCTFail() }
        XCTAssertEqual(command, "iptables -A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT")
        XCTAssertEqual(plan.details["persist_note"], .string("no way to save iptables rules was found: they last until reboot"))
    }

    func testSeveralRulesGoInOrderAtTheCatchAllsPlace() throws {
        let ruleset = IptablesRuleset.parse(try Fixtures.text("rhel6/etc/sysconfig/iptables"))
        let plan = try OpenPortIptables.plan(.init(ranges: try PortRange.parse(.list([.int(111), .int(2049)]), protocols: ["tcp", "udp"])),
                                             ruleset: ruleset, persistence: .serviceSave)
        guard case .run(let command, _, _) = plan.actions.first else { return XCTFail() }
        XCTAssertEqual(command.components(separatedBy: " && ").map { $0.split(separator: " ").prefix(4).joined(separator: " ") },
                       ["iptables -I INPUT 5", "iptables -I INPUT 6", "iptables -I INPUT 7", "iptables -I INPUT 8", "service iptables save"])
    }

    func testAnUnreadableRuleStopsTheOp() {
        var ruleset = IptablesRuleset.parse(try! Fixtures.text("rhel7/etc/sysconfig/iptables"))
        ruleset.unreadable = ["-A INPUT -p"]
        XCTAssertThrowsError(try OpenPortIptables.plan(.init(ranges: [PortRange(1, proto: "tcp")]), ruleset: ruleset, persistence: .none))
        XCTAssertEqual(IptablesRuleset.parse("*filter\n-A INPUT -p\nCOMMIT\n").unreadable, ["-A INPUT -p"])
    }

    func testNoFirewallIsAnExplicitNoOp() async throws {
        let transport = ScriptedTransport()
        let outcome = try await OpRunner.run("open-port", ["ports": .int(16509)],
                                             on: TestHostContext(transport: transport, cannedFacts: CannedFacts.noFirewall))
        XCTAssertFalse(outcome.changed)
        XCTAssertEqual(outcome.reason, "no firewall is active on this host (neither firewalld nor iptables was found)")
        XCTAssertEqual(transport.recorded, [])
    }

    // MARK: - firewalld (scripted: this machine cannot run firewalld)

    func testFirewalldQueriesInOneExecThenAddsTheMissingPortsAndReloads() async throws {
        let transport = ScriptedTransport([
            ("--query-port", "16509/tcp=no\n49152-49261/tcp=yes\n", 0),
            ("--add-port", "success\n", 0),
        ])
        let context = TestHostContext(transport: transport, cannedFacts: CannedFacts.fedora21)
        let outcome = try await OpRunner.run("open-port", ["ports": .list([.int(16509), .string("49152-49261")])], on: context)
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(transport.recorded.count, 2)
        XCTAssertEqual(transport.recorded[0],
                       "printf '%s\\n' 16509/tcp=\"$(firewall-cmd --permanent --query-port=16509/tcp 2>&1)\"; "
                       + "printf '%s\\n' 49152-49261/tcp=\"$(firewall-cmd --permanent --query-port=49152-49261/tcp 2>&1)\"")
        XCTAssertEqual(transport.recorded[1], "firewall-cmd --permanent --add-port=16509/tcp && firewall-cmd --reload")
        XCTAssertEqual(outcome.details["backend"], .string("firewalld"))
        XCTAssertEqual(outcome.details["already_open"], .list([.string("49152-49261/tcp")]))
    }

    func testFirewalldWithEverythingOpenPlansNothing() throws {
        let request = OpenPort.Request(ranges: [PortRange(2049, proto: "tcp"), PortRange(2049, proto: "udp")])
        let plan = try OpenPortFirewalld.plan(request, answers: ["2049/tcp": "yes", "2049/udp": "yes"])
        XCTAssertFalse(plan.changes)
        XCTAssertEqual(plan.reason, "every requested port is already open in firewalld's permanent configuration")
        XCTAssertThrowsError(try OpenPortFirewalld.plan(request, answers: ["2049/tcp": "FirewallD is not running"]))
    }

    func testFirewalldWithASourceUsesRichRules() throws {
        let request = OpenPort.Request(ranges: [PortRange(2049, proto: "tcp")], source: "10.0.0.0/24")
        let plan = try OpenPortFirewalld.plan(request, answers: ["2049/tcp from 10.0.0.0/24": "no"])
        XCTAssertEqual(plan.actions, [.run(
            command: #"firewall-cmd --permanent '--add-rich-rule=rule family="ipv4" source address="10.0.0.0/24" port port="2049" protocol="tcp" accept' && firewall-cmd --reload"#,
            summary: "open 2049/tcp from 10.0.0.0/24 in firewalld")])
    }

    func testSeveralSourcesAreOneRulePerSourceAndPort() throws {
        let ranges = [PortRange(16509, proto: "tcp"), PortRange(2049, proto: "tcp")]
        let request = OpenPort.Request(ranges: ranges, sources: ["10.0.0.2", "10.0.0.3"])
        let capture = try Fixtures.text("rhel7/etc/sysconfig/iptables")
        let plan = try OpenPortIptables.plan(request, ruleset: IptablesRuleset.parse(capture), persistence: .none)
        XCTAssertEqual(plan.details["added"], Value.list(["16509/tcp from 10.0.0.2", "2049/tcp from 10.0.0.2",
                                                     "16509/tcp from 10.0.0.3", "2049/tcp from 10.0.0.3"].map(Value.string)))
        guard case .run(let command, _, _)? = plan.actions.last else { return XCTFail("expected a run action") }
        XCTAssertEqual(command.components(separatedBy: " && ").count, 4)
        XCTAssertTrue(command.contains("-I INPUT 5 -p tcp -s 10.0.0.2 -m state --state NEW -m tcp --dport 16509 -j ACCEPT"))
        XCTAssertTrue(command.contains("-I INPUT 8 -p tcp -s 10.0.0.3 -m state --state NEW -m tcp --dport 2049 -j ACCEPT"))
        // Half open already: only the missing pairs are added.
        let firewalld = try OpenPortFirewalld.plan(request, answers: ["16509/tcp from 10.0.0.2": "yes", "2049/tcp from 10.0.0.2": "yes",
                                                                      "16509/tcp from 10.0.0.3": "no", "2049/tcp from 10.0.0.3": "yes"])
        XCTAssertEqual(firewalld.details["added"], .list([.string("16509/tcp from 10.0.0.3")]))
    }
}
