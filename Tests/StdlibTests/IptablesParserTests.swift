import Foundation
import XCTest
import Interpreter
@testable import Stdlib

/// The iptables rule parser and the INPUT-chain reading, against the stock rulesets, the
/// captured listings, and pyinfra's iptables.rule cases.
final class IptablesParserTests: XCTestCase {
    // MARK: - pyinfra's iptables.rule cases (Tests/Fixtures/peer-cases.json)

    struct PeerFile: Decodable {
        var iptables_rule: [PeerCase]
    }

    struct PeerCase: Decodable {
        var id: String
        var args: [String]
        var kwargs: [String: Scalar]
        var facts: [String: [String: [[String: String]]]]
        var commands: [String]
    }

    enum Scalar: Decodable {
        case text(String), number(Int), flag(Bool)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? container.decode(Int.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }
        var text: String {
            switch self {
            case .text(let text): return text
            case .number(let number): return String(number)
            case .flag(let flag): return String(flag)
            }
        }
    }

    /// Builds the rule a pyinfra call describes. Every keyword must be understood.
    private func rule(chain: String, jump: String, _ options: [String: String], file: StaticString = #filePath,
                      line: UInt = #line) -> IptablesRule {
        var rule = IptablesRule(chain: chain, target: jump)
        let criteria: [(String, String, Bool)] = [
            ("protocol", "-p", false), ("source", "-s", false), ("destination", "-d", false),
            ("in_interface", "-i", false), ("out_interface", "-o", false),
            ("not_protocol", "-p", true), ("not_source", "-s", true), ("not_destination", "-d", true),
            ("not_in_interface", "-i", true), ("not_out_interface", "-o", true),
        ]
        for (key, flag, negated) in criteria {
            if let value = options[key] {
                rule.criteria.append(.init(flag, flag == "-p" ? value.lowercased() : value, negated: negated))
            }
        }
        var ports: [IptablesRule.Option] = []
        if let port = options["destination_port"] { ports.append(.init("--dport", [port])) }
        if let port = options["source_port"] { ports.append(.init("--sport", [port])) }
        if !ports.isEmpty { rule.matches.append(.init("", ports)) }
        if let value = options["to_ports"] { rule.targetOptions.append(.init("--to-ports", [value])) }
        if let value = options["to_destination"] { rule.targetOptions.append(.init("--to-destination", [value])) }
        let known: Set<String> = Set(criteria.map(\.0)).union(["destination_port", "source_port", "to_ports",
                                                              "to_destination", "table", "present", "chain", "jump"])
        for key in options.keys where !known.contains(key) {
            XCTFail("case keyword \(key) not mapped", file: file, line: line)
        }
        return rule
    }

    func testPyinfraRuleCasesPlanTheirExpectedCommands() throws {
        let data = try Data(contentsOf: Fixtures.url("peer-cases.json"))
        let cases = try JSONDecoder().decode(PeerFile.self, from: data).iptables_rule
        XCTAssertEqual(cases.count, 5)
        for peer in cases {
            let options = peer.kwargs.mapValues(\.text)
            let table = options["table"] ?? "filter"
            let present = options["present"].map { $0 == "true" } ?? true
            let wanted = rule(chain: peer.args[0], jump: peer.args[1], options)
            // The facts are rules as pyinfra read them from iptables-save: write them back
            // as save lines and read them with the real parser.
            let existing = (peer.facts["iptables.IptablesRules"]?["table=\(table)"] ?? []).map { fact -> IptablesRule? in
                let built = rule(chain: fact["chain"] ?? "", jump: fact["jump"] ?? "", fact)
                return IptablesRuleParser.parse(saveLine: (["-A", built.chain] + built.canonicalArguments).joined(separator: " "))
            }
            XCTAssertFalse(existing.contains { $0 == nil }, peer.id)
            let exists = existing.contains { $0?.isSameRule(as: wanted) == true }
            var planned: [String] = []
            if present && !exists { planned = [wanted.command(.append, table: table)] }
            if !present && exists { planned = [wanted.command(.delete, table: table)] }
            XCTAssertEqual(planned, peer.commands, peer.id)
            for command in peer.commands {
                let parsed = try XCTUnwrap(IptablesRuleParser.parse(commandLine: command), peer.id)
                XCTAssertEqual(parsed.table, table, peer.id)
                XCTAssertTrue(parsed.rule.isSameRule(as: wanted), "\(peer.id): \(parsed.rule.canonicalArguments)")
            }
        }
    }

    // MARK: - Captured listings and the stock rulesets

    struct CaptureCase {
        var file: String
        var isListing: Bool
        var catchAll: Int
        var open: [PortRange]
        var closed: [PortRange]
    }

    static let ssh = PortRange(22, proto: "tcp")
    static let libvirt = PortRange(16509, proto: "tcp")

    let captureCases = [
        CaptureCase(file: "captures/iptables_-L_INPUT_--line-numbers.default-ruleset.txt", isListing: true,
                    catchAll: 5, open: [ssh], closed: [libvirt, PortRange(22, proto: "udp")]),
        CaptureCase(file: "captures/iptables_-L_--line-numbers.default-ruleset.rhel8.7.txt", isListing: true,
                    catchAll: 5, open: [ssh], closed: [libvirt]),
        CaptureCase(file: "captures/iptables_-L_--line-numbers.default-ruleset-plus-2-appended.centos-iptables-services.txt",
                    isListing: true, catchAll: 5, open: [ssh], closed: [libvirt, PortRange(8088, proto: "tcp")]),
        CaptureCase(file: "captures/iptables_-S.default-ruleset.el6-iptables-1.4.7.txt", isListing: false,
                    catchAll: 5, open: [ssh], closed: [libvirt]),
        CaptureCase(file: "rhel6/etc/sysconfig/iptables", isListing: false, catchAll: 5, open: [ssh], closed: [libvirt]),
        CaptureCase(file: "rhel7/etc/sysconfig/iptables", isListing: false, catchAll: 5, open: [ssh], closed: [libvirt]),
    ]

    private func ruleset(_ capture: CaptureCase) throws -> IptablesRuleset {
        let text = try Fixtures.text(capture.file)
        guard capture.isListing else { return IptablesRuleset.parse(text) }
        let rows = IptablesListingReader.rows(text)
        XCTAssertEqual(rows.first { $0.target == "REJECT" }?.number, capture.catchAll, capture.file)
        return IptablesRuleset.parse(rows.map(\.saveLine).joined(separator: "\n"))
    }

    func testCapturesAndStockRulesetsReadAsTheKernelSeesThem() throws {
        for capture in captureCases {
            let ruleset = try ruleset(capture)
            XCTAssertTrue(ruleset.unreadable.isEmpty, capture.file)
            let chain = IptablesInputChain(ruleset)
            XCTAssertEqual(chain.catchAllPosition, capture.catchAll, capture.file)
            for range in capture.open { XCTAssertTrue(chain.accepts(range, from: nil), "\(capture.file): \(range)") }
            for range in capture.closed { XCTAssertFalse(chain.accepts(range, from: nil), "\(capture.file): \(range)") }
            let plan = try OpenPortIptables.plan(.init(ranges: [Self.libvirt]), ruleset: ruleset, persistence: .serviceSave)
            XCTAssertEqual(plan.actions, [.run(
                command: "iptables -I INPUT \(capture.catchAll) -p tcp -m state --state NEW -m tcp --dport 16509 -j ACCEPT && service iptables save",
                summary: "open 16509/tcp before the catch-all rule at INPUT position \(capture.catchAll)")], capture.file)
        }
    }

    /// The original tool appended its rules after the REJECT (the plus-2-appended capture):
    /// such rules never match, so they do not count; open-port inserts a working rule
    /// above the REJECT and reports the dead one.
    func testRulesBelowTheCatchAllDoNotCount() throws {
        let capture = captureCases[2]
        let chain = IptablesInputChain(try ruleset(capture))
        XCTAssertEqual(chain.deadRules.count, 2)
        let radan = PortRange(8088, proto: "tcp")
        XCTAssertFalse(chain.accepts(radan, from: "stlb01"))
        XCTAssertTrue(chain.acceptsOnlyBelowCatchAll(radan, from: "stlb01"))
        let plan = try OpenPortIptables.plan(.init(ranges: [radan], source: "stlb01"), ruleset: try ruleset(capture),
                                             persistence: .none)
        XCTAssertEqual(plan.actions.count, 1)
        XCTAssertEqual(plan.details["dead_rules"], .list([.string("8088/tcp from stlb01")]))
        guard case .run(let command, _, _) = plan.actions[0] else { return XCTFail("expected a run action") }
        XCTAssertEqual(command, "iptables -I INPUT 5 -p tcp -s stlb01 -m state --state NEW -m tcp --dport 8088 -j ACCEPT")
    }

    /// Read naively, a listing's loopback rule accepts everything: why open-port never
    /// decides from `iptables -L`.
    func testListingHidesTheLoopbackInterface() throws {
        let text = try Fixtures.text(captureCases[0].file)
        let row = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("3 ") })
        XCTAssertFalse(row.contains("lo"))
        let stock = IptablesRuleset.parse(try Fixtures.text("captures/iptables_-S.default-ruleset.el6-iptables-1.4.7.txt"))
        XCTAssertEqual(stock.rules(in: "INPUT")[2].criterion("-i")?.value, "lo")
    }

    // MARK: - Spellings

    func testSpellingsOfOneRuleAreTheSameRule() throws {
        let spellings = [
            "-A INPUT -p tcp -m state --state NEW -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -m state --state NEW -p tcp -m tcp --dport 2049 -j ACCEPT",
            "[12:3400] -A INPUT --protocol TCP -m state --state NEW -m tcp --destination-port 2049 --jump ACCEPT",
        ]
        let rules = try spellings.map { try XCTUnwrap(IptablesRuleParser.parse(saveLine: $0), $0) }
        XCTAssertEqual(rules[0].canonicalArguments, rules[1].canonicalArguments)
        XCTAssertEqual(rules[2].protocolName, "tcp")
        XCTAssertEqual(rules[2].target, "ACCEPT")
    }

    func testEveryAcceptFormCountsAndNegationsDoNot() throws {
        let nfs = PortRange(2049, proto: "tcp")
        let accepting = [
            "-A INPUT -p tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m state --state NEW,ESTABLISHED -m tcp --dport 2040:2050 -j ACCEPT",
            "-A INPUT -p tcp -m multiport --dports 111,2049,20048 -m comment --comment \"nfs and friends\" -j ACCEPT",
            "-A INPUT -p tcp -m multiport --dports 111,2000:2100 -j ACCEPT",
            "-A INPUT -p tcp -j ACCEPT",
            "-A INPUT -j ACCEPT",
        ]
        let notAccepting = [
            "-A INPUT -p tcp -m tcp ! --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport ! 2049 -j ACCEPT",
            "-A INPUT -p udp -m udp --dport 2049 -j ACCEPT",
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 2049 -j DROP",
            "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m recent --rcheck -m tcp --dport 2049 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 2048 -j ACCEPT",
        ]
        for line in accepting {
            let chain = IptablesInputChain(IptablesRuleset.parse(line))
            XCTAssertTrue(chain.accepts(nfs, from: nil), line)
        }
        for line in notAccepting {
            let chain = IptablesInputChain(IptablesRuleset.parse(line))
            XCTAssertEqual(chain.rules.count, 1, line)
            XCTAssertFalse(chain.accepts(nfs, from: nil), line)
        }
        let sourced = IptablesInputChain(IptablesRuleset.parse(notAccepting[6]))
        XCTAssertTrue(sourced.accepts(nfs, from: "10.0.0.0/8"))
    }

    func testARangeIsOpenOnlyWhenEveryPortIsCovered() {
        let migration = PortRange(49152, 49261, proto: "tcp")
        let halves = IptablesInputChain(IptablesRuleset.parse("""
            -A INPUT -p tcp -m tcp --dport 49152:49200 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 49201:49261 -j ACCEPT
            """))
        XCTAssertTrue(halves.accepts(migration, from: nil))
        let gap = IptablesInputChain(IptablesRuleset.parse("""
            -A INPUT -p tcp -m tcp --dport 49152:49200 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 49202:49261 -j ACCEPT
            """))
        XCTAssertFalse(gap.accepts(migration, from: nil))
    }

    func testSaveOutputReadsOnlyTheFilterTableAndQuotedComments() throws {
        let text = """
            # Generated by iptables-save v1.8.9
            *nat
            :PREROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080
            COMMIT
            *filter
            :INPUT DROP [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -m comment --comment "it's \\"ssh\\"" -j ACCEPT
            COMMIT
            """
        let ruleset = IptablesRuleset.parse(text)
        XCTAssertEqual(ruleset.policies["INPUT"], "DROP")
        XCTAssertEqual(ruleset.rules.count, 1)
        let comment = ruleset.rules[0].matches.first { $0.name == "comment" }?.option("--comment")
        XCTAssertEqual(comment?.value, "it's \"ssh\"")
    }
}
