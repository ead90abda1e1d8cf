import Foundation
import XCTest
import Interpreter
import TestSupport
@testable import Stdlib

/// open-port against REAL iptables, in a network namespace each test creates and deletes
/// (the machine's own rules are never touched). The host's /etc is a private overlay, so
/// the saved /etc/sysconfig/iptables lands in the test's folder.
final class OpenPortNamespaceTests: XCTestCase {
    var hosts: [NamespaceHost] = []

    override func tearDown() {
        for host in hosts { host.destroy() }
        hosts = []
        super.tearDown()
    }

    /// A namespace host loaded with a distribution's stock ruleset, its file in /etc too.
    private func host(stock distro: String) throws -> NamespaceHost {
        let host = try NamespaceHost()
        hosts.append(host)
        let fixture = Fixtures.url("\(distro)/etc/sysconfig/iptables").path
        try host.run("iptables-restore < " + ShellQuote.quote(fixture))
        try host.writeEtc("sysconfig/iptables", try Fixtures.text("\(distro)/etc/sysconfig/iptables"))
        return host
    }

    private func context(_ host: NamespaceHost, facts: HostFacts = CannedFacts.rhel7, checkMode: Bool = false) -> TestHostContext {
        TestHostContext(transport: host.transport(), cannedFacts: facts, checkMode: checkMode)
    }

    private func inputRules(_ host: NamespaceHost) throws -> [String] {
        try host.run("iptables-save -t filter").split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A INPUT ") }
    }

    private func openPort(_ proto: String, _ ports: Value, on context: TestHostContext,
                          extra: [String: Value] = [:]) async throws -> OpRecord {
        try await OpRunner.run("open-port", ["proto": .string(proto), "ports": ports].merging(extra) { $1 }, on: context)
    }

    func testNewRuleLandsBeforeTheRejectAndASecondRunPlansNothing() async throws {
        let host = try host(stock: "rhel7")
        let context = context(host)
        let first = try await openPort("tcp", .int(16509), on: context)
        XCTAssertTrue(first.changed)
        XCTAssertEqual(first.commands.count, 1, "one run action")
        let rules = try inputRules(host)
        XCTAssertEqual(rules.count, 6)
        XCTAssertEqual(rules[4], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT")
        XCTAssertEqual(rules[5], "-A INPUT -j REJECT --reject-with icmp-host-prohibited")

        let second = try await openPort("tcp", .int(16509), on: context)
        XCTAssertFalse(second.changed)
        XCTAssertEqual(second.commands, [])
        XCTAssertEqual(second.details["already_open"], .list([.string("16509/tcp")]))
        XCTAssertEqual(try inputRules(host), rules, "nothing duplicated")
        let transport = try XCTUnwrap(context.transport as? NamespaceTransport)
        // One op at a time (no batching here), the check that INPUT is unchanged is its own exec.
        XCTAssertEqual(transport.recorded.count, 4, "probe + check + apply, then probe only")
    }

    /// Check mode plans each open-port on the rules the ones before it would insert, so it
    /// shows the positions and commands the real run then uses (issue #19).
    func testCheckModePlansLaterOpenPortsOnTheRulesEarlierOnesWouldInsert() async throws {
        let host = try host(stock: "rhel7")
        var checking = context(host, checkMode: true)
        checking.planned = PlannedState()
        let requests: [(String, Value, [String: Value])] = [
            ("tcp", .int(16509), [:]),
            ("tcp", .int(16509), [:]),
            ("tcp", .int(2049), ["source": .list([.string("10.0.0.2"), .string("10.0.0.3")]), "comment": .string("nfs from the nodes")]),
            ("udp", .string("111"), [:]),
            ("tcp", .int(2049), ["source": .string("10.0.0.3"), "comment": .string("nfs from the nodes")]),
        ]
        var planned: [OpRecord] = []
        for (proto, ports, extra) in requests { planned.append(try await openPort(proto, ports, on: checking, extra: extra)) }
        XCTAssertEqual(try inputRules(host).count, 5, "check mode inserted nothing")
        XCTAssertEqual(planned.map(\.changed), [true, false, true, true, false])

        let applying = context(host)
        var applied: [OpRecord] = []
        for (proto, ports, extra) in requests { applied.append(try await openPort(proto, ports, on: applying, extra: extra)) }
        XCTAssertEqual(planned.map(\.commands), applied.map(\.commands), "the dry run showed the real commands")
        XCTAssertEqual(planned.map(\.changed), applied.map(\.changed))
        XCTAssertEqual(try inputRules(host).count, 9)
    }

    /// A run applies changes a while after it read the rules (they are batched): if another
    /// tool changed INPUT in between, inserting at the position read would put the rule in
    /// the wrong place (below the REJECT, even). The op fails instead, and inserts nothing.
    func testInsertsFailSafelyWhenINPUTChangedAfterItWasRead() async throws {
        let host = try host(stock: "rhel7")
        let context = context(host)
        let arguments = try OpArguments.bind(OpenPort.spec, ["proto": .string("tcp"), "ports": .int(16509)])
        guard case .plan(let plan) = OpenPort.spec.body else { return XCTFail() }
        let planned = try await plan(arguments, context)
        // Another tool removes a rule above the REJECT: the position read is now one too far.
        try host.run("iptables -D INPUT -p icmp -j ACCEPT")
        let before = try inputRules(host)
        do {
            try await OpExecutor.apply(planned.actions, effect: planned.effect, on: context)
            XCTFail("the insert should have been refused")
        } catch let error as OpError {
            XCTAssertTrue(error.message.contains("the INPUT chain changed after crucible read it"), error.message)
        }
        XCTAssertEqual(try inputRules(host), before, "nothing inserted")
        // Read again, the same request goes in where it belongs.
        _ = try await openPort("tcp", .int(16509), on: context)
        let rules = try inputRules(host)
        XCTAssertEqual(rules.suffix(2), ["-A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT",
                                         "-A INPUT -j REJECT --reject-with icmp-host-prohibited"])
    }

    func testRangesAndBothProtocolsAndOnlyTheMissingOnesAreAdded() async throws {
        let host = try host(stock: "rhel7")
        let context = context(host)
        let first = try await openPort("both", .list([.string("49152-49261"), .int(2049)]), on: context)
        XCTAssertEqual(first.details["added"], .list(["49152-49261/tcp", "2049/tcp", "49152-49261/udp", "2049/udp"].map(Value.string)))
        var rules = try inputRules(host)
        XCTAssertEqual(Array(rules[4...8]), [
            "-A INPUT -p tcp -m state --state NEW -m tcp --dport 49152:49261 -j ACCEPT",
            "-A INPUT -p tcp -m state --state NEW -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p udp -m state --state NEW -m udp --dport 49152:49261 -j ACCEPT",
            "-A INPUT -p udp -m state --state NEW -m udp --dport 2049 -j ACCEPT",
            "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
        ])
        let again = try await openPort("both", .list([.int(2049), .int(111)]), on: context)
        XCTAssertEqual(again.details["added"], .list(["111/tcp", "111/udp"].map(Value.string)))
        XCTAssertEqual(again.details["already_open"], .list(["2049/tcp", "2049/udp"].map(Value.string)))
        rules = try inputRules(host)
        XCTAssertEqual(rules.count, 11)
        XCTAssertEqual(rules.last, "-A INPUT -j REJECT --reject-with icmp-host-prohibited")
        let inRange = try await openPort("tcp", .string("49200-49210"), on: context)
        XCTAssertFalse(inRange.changed, "a sub-range of an open range is open")
    }

    func testSavedRulesSurviveARestoreIntoAFreshHost() async throws {
        let host = try host(stock: "rhel7")
        let outcome = try await openPort("tcp", .list([.int(16509), .string("49152-49261")]), on: context(host))
        XCTAssertEqual(outcome.details["persisted_with"], .string("/etc/sysconfig/iptables"))
        let saved = try XCTUnwrap(host.readEtc("sysconfig/iptables"))
        XCTAssertTrue(saved.contains("--dport 16509"))

        let fresh = try NamespaceHost()
        hosts.append(fresh)
        let savedPath = host.etcUpper.appendingPathComponent("sysconfig/iptables").path
        try fresh.run("iptables-restore < " + ShellQuote.quote(savedPath))
        XCTAssertEqual(try inputRules(fresh), try inputRules(host))
        let again = try await openPort("tcp", .list([.int(16509), .string("49152-49261")]), on: context(fresh))
        XCTAssertFalse(again.changed)
    }

    /// RHEL 6: SysV init saves with `service iptables save`. This machine has no SysV
    /// iptables script, so a stub `service` does what RHEL 6's does for `save`.
    func testRHEL6RulesetSavedWithServiceIptablesSave() async throws {
        let host = try host(stock: "rhel6")
        try host.installStub("service", script: """
            echo "service $*" >> /tmp/crucible-ns/\(host.netns)/calls.log
            [ "$1 $2" = "iptables save" ] || exit 1
            iptables-save > /etc/sysconfig/iptables
            """)
        let context = context(host, facts: CannedFacts.rhel6)
        let outcome = try await openPort("tcp", .int(16509), on: context)
        XCTAssertEqual(outcome.commands, [
            "iptables -I INPUT 5 -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT && service iptables save",
        ])
        XCTAssertEqual(try inputRules(host)[4], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT")
        let calls = try String(contentsOf: host.root.appendingPathComponent("calls.log"), encoding: .utf8)
        XCTAssertEqual(calls, "service iptables save\n")
        XCTAssertTrue(try XCTUnwrap(host.readEtc("sysconfig/iptables")).contains("--dport 16509"))
        let second = try await openPort("tcp", .int(16509), on: context)
        XCTAssertFalse(second.changed)
        // The stock RHEL 6 spelling of the ssh rule counts as open too.
        let ssh = try await openPort("tcp", .int(22), on: context)
        XCTAssertFalse(ssh.changed)
    }

    /// The original tool appended after the REJECT; such a rule never matches. open-port
    /// inserts a working one above the REJECT and names the dead one.
    func testARuleBelowTheRejectIsReplacedByAWorkingOne() async throws {
        let host = try host(stock: "rhel7")
        try host.run("iptables -A INPUT -p tcp -m tcp --dport 16509 -j ACCEPT")
        let outcome = try await openPort("tcp", .int(16509), on: context(host))
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(outcome.details["dead_rules"], .list([.string("16509/tcp")]))
        let rules = try inputRules(host)
        XCTAssertEqual(rules[4], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT")
        XCTAssertEqual(rules[5], "-A INPUT -j REJECT --reject-with icmp-host-prohibited")
    }

    func testCheckModePlansButChangesNothing() async throws {
        let host = try host(stock: "rhel7")
        let before = try inputRules(host)
        let outcome = try await openPort("udp", .int(32769), on: context(host, checkMode: true))
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(outcome.commands.count, 1)
        XCTAssertEqual(try inputRules(host), before)
    }

    func testSourceAndCommentAreQuotedAndDoNotCauseDuplicates() async throws {
        let host = try host(stock: "rhel7")
        let context = context(host)
        let extra: [String: Value] = ["source": .string("10.1.0.0/24"), "comment": .string("nova's \"migration\"; rm -rf /")]
        let first = try await openPort("tcp", .int(16509), on: context, extra: extra)
        XCTAssertTrue(first.changed)
        let rule = try inputRules(host)[4]
        XCTAssertTrue(rule.hasPrefix("-A INPUT -s 10.1.0.0/24 -p tcp"), rule)
        let parsed = try XCTUnwrap(IptablesRuleParser.parse(saveLine: rule))
        XCTAssertEqual(parsed.matches.first { $0.name == "comment" }?.option("--comment")?.value,
                       "nova's \"migration\"; rm -rf /")
        let second = try await openPort("tcp", .int(16509), on: context, extra: extra)
        XCTAssertFalse(second.changed)
        let fromAnywhere = try await openPort("tcp", .int(16509), on: context)
        XCTAssertTrue(fromAnywhere.changed, "a rule for one source does not open the port to everyone")
    }
}

extension OpenPortNamespaceTests {
    /// A host with no rules loaded at all: nothing to insert before, so rules are appended.
    func testAnEmptyFilterTableGetsAppendedRules() async throws {
        let host = try NamespaceHost()
        hosts.append(host)
        try host.writeEtc("sysconfig/.keep", "")
        let outcome = try await OpRunner.run("open-port", ["ports": .int(16509)],
                                             on: TestHostContext(transport: host.transport(), cannedFacts: CannedFacts.rhel7))
        XCTAssertEqual(outcome.commands.first?.hasPrefix("iptables -A INPUT -p tcp"), true, "\(outcome.commands)")
        XCTAssertEqual(try host.run("iptables-save -t filter").split(separator: "\n").filter { $0.hasPrefix("-A INPUT") },
                       ["-A INPUT -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT"])
    }

    /// A failing iptables-save fails the op instead of being read as "no rules".
    func testAFailingIptablesSaveFailsTheOp() async throws {
        let host = try NamespaceHost()
        hosts.append(host)
        try host.installStub("iptables-save", script: "echo 'iptables-save: permission denied' >&2; exit 1\n")
        do {
            _ = try await OpRunner.run("open-port", ["ports": .int(16509)],
                                       on: TestHostContext(transport: host.transport(), cannedFacts: CannedFacts.rhel7))
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.message.contains("permission denied"), error.message)
        }
    }
}
