import Interpreter

/// open-port on an iptables host: read the filter table with one `iptables-save -t filter`
/// (not `iptables -C`, which RHEL 6's iptables 1.4.7 gets wrong for some matches), work
/// out which requested ports rules above the catch-all already accept, and insert only the
/// missing ones at the catch-all's position, then save. All of it in one `run` action.
enum OpenPortIptables {
    static let probeMarker = "#crucible-probe"

    /// The ruleset and how it is saved: it reads the packet filter and the saved files.
    static var probe: Probe {
        Probe(probeCommand, reads: [.packetFilter, .path(IptablesPersistence.initScriptPath), .path("/etc/sysconfig"), .path("/etc/iptables")]
              + IptablesPersistence.savedFiles.flatMap { [HostState.contents($0.1), .path($0.1)] })
    }

    static var probeCommand: String {
        Shell.sequence(["iptables-save -t filter", "printf '%s\\nsave_status=%s\\n' " + ShellQuote.quote(probeMarker) + " \"$?\""]
            + IptablesPersistence.probeLines)
    }

    static func plan(_ request: OpenPort.Request, facts: HostFacts, _ context: any HostContext) async throws -> OpPlan {
        let result = try await HostProbe.run(probe, on: context)
        let output = result.stdoutText
        guard let (saved, rest) = HostProbe.split(output, at: probeMarker + "\n") ?? HostProbe.split(output, at: probeMarker) else {
            throw OpError("cannot read the iptables rules: \(result.stderrText.trimmed)")
        }
        let answers = HostProbe.fields(rest)
        // An empty filter table (no rules loaded yet) is a valid answer; a failing
        // iptables-save is not.
        guard answers["save_status"] == "0" else {
            throw OpError("iptables-save failed: \(result.stderrText.trimmed)",
                          hint: "is iptables installed and may this user run it?")
        }
        let persistence = IptablesPersistence.choose(facts: facts, probe: answers)
        let inputLines = saved.split(separator: "\n").filter { $0.hasPrefix("-A INPUT ") }.map(String.init)
        let ruleset = IptablesRuleset.parse(saved)
        var decided = try plan(request, ruleset: ruleset, persistence: persistence,
                               savedFileInSync: persistence.savedFileInSync(answers), inputAsRead: inputLines,
                               backup: context.backupsByDefault)
        if context.checkMode, decided.changes {
            let after = predictedSave(saved, inserting: missing(request, ruleset), request)
            decided.predicts[probe] = CommandResult(stdout: Array((after + probeMarker + "\n" + predictedRest(rest, persistence)).utf8),
                                                    stderr: [], status: result.status)
        }
        return decided
    }

    static func missing(_ request: OpenPort.Request, _ ruleset: IptablesRuleset) -> [OpenPort.Opening] {
        let chain = IptablesInputChain(ruleset)
        return request.openings.filter { !chain.accepts($0.range, from: $0.source) }
    }

    /// `iptables-save` as it would print once `missing` were inserted where `plan` inserts them
    /// (before the catch-all, else at the end of INPUT), for check mode's later open-ports.
    static func predictedSave(_ saved: String, inserting missing: [OpenPort.Opening], _ request: OpenPort.Request) -> String {
        var lines = saved.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let input = lines.indices.filter { lines[$0].hasPrefix("-A INPUT ") }
        let position = IptablesInputChain(IptablesRuleset.parse(saved)).insertPosition
        let at: Int
        if let position, position - 1 < input.count {
            at = input[position - 1]
        } else if let last = input.last {
            at = last + 1
        } else {
            // No INPUT rule yet: before the filter table's COMMIT.
            at = lines.firstIndex(of: "COMMIT") ?? lines.count
        }
        let added = missing.map { opening in
            (["-A", "INPUT"] + acceptRule(opening, comment: request.comment).canonicalArguments)
                .map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
        }
        lines.insert(contentsOf: added, at: at)
        return lines.joined(separator: "\n")
    }

    /// The rest of the probe once the rules were saved: the saved file then holds them.
    static func predictedRest(_ rest: String, _ persistence: IptablesPersistence) -> String {
        guard persistence.command(backup: false) != nil, let path = persistence.savedPath,
              let key = IptablesPersistence.savedFiles.first(where: { $0.1 == path })?.0 else { return rest }
        return rest.replacingOccurrences(of: "\(key)=no", with: "\(key)=yes")
    }

    /// The planning itself, from rules already read: tests call it with captured rulesets.
    /// `savedFileInSync` false: the saved rules file lacks some live INPUT rule (a run was
    /// cut between inserting rules and saving them); the rules are then saved even when
    /// every port is already open, or a reboot would lose them.
    ///
    /// `inputAsRead`: the INPUT rules as `iptables-save` printed them when they were read.
    /// Inserts go by position, and the run may apply them a while after reading (changes are
    /// batched), so the command first checks that INPUT is still exactly that; if another
    /// tool changed it meanwhile, nothing is inserted and the op fails, rather than a rule
    /// landing below the catch-all.
    ///
    /// `backup`: the saved rules file's previous version is kept as `FILE.crucible~`.
    static func plan(_ request: OpenPort.Request, ruleset: IptablesRuleset,
                     persistence: IptablesPersistence, savedFileInSync: Bool = true,
                     inputAsRead: [String]? = nil, backup: Bool = false) throws -> OpPlan {
        guard ruleset.unreadable.isEmpty else {
            throw OpError("cannot read these iptables rules: \(ruleset.unreadable.joined(separator: "; "))",
                          hint: "crucible does not add rules to a chain it cannot read")
        }
        let chain = IptablesInputChain(ruleset)
        let missing = request.openings.filter { !chain.accepts($0.range, from: $0.source) }
        let open = request.openings.filter { chain.accepts($0.range, from: $0.source) }
        let dead = missing.filter { chain.acceptsOnlyBelowCatchAll($0.range, from: $0.source) }
        var details: [(String, Value)] = [
            ("backend", .string("iptables")),
            ("added", OpenPort.labels(missing)),
            ("already_open", OpenPort.labels(open)),
            ("dead_rules", OpenPort.labels(dead)),
            ("persisted_with", .string(missing.isEmpty ? "" : persistence.label)),
        ]
        guard !missing.isEmpty else {
            if !savedFileInSync, let save = persistence.command(backup: backup), let path = persistence.savedPath {
                return OpPlan(actions: [.run(command: save, summary: "save the live rules: \(path) lacks some of them")],
                              details: .init(uniqueKeysWithValues: details), effect: effect(persistence))
            }
            return .noChange("every requested port is already accepted above the catch-all rule",
                             details: .init(uniqueKeysWithValues: details))
        }
        var commands = missing.enumerated().map { offset, opening in
            let rule = acceptRule(opening, comment: request.comment)
            if let position = chain.insertPosition { return rule.command(.insert(position: position + offset)) }
            return rule.command(.append)
        }
        if let save = persistence.command(backup: backup) { commands.append(save) }
        var actions: [PlannedAction] = []
        if let inputAsRead, chain.insertPosition != nil {
            actions.append(.verify(command: unchangedCheck(inputAsRead),
                                   summary: "the INPUT chain changed after crucible read it (another tool?): no rule was inserted; run again"))
        }
        if persistence.command == nil { details.append(("persist_note", .string("no way to save iptables rules was found: they last until reboot"))) }
        let where_ = chain.insertPosition.map { "before the catch-all rule at INPUT position \($0)" } ?? "at the end of INPUT"
        let summary = "open \(missing.map(\.description).joined(separator: ", ")) \(where_)"
        actions.append(.run(command: Shell.all(commands), summary: summary))
        return OpPlan(actions: actions, details: .init(uniqueKeysWithValues: details), effect: effect(persistence))
    }

    /// A shell test that INPUT still holds exactly these rules (`iptables -S` spells them as
    /// `iptables-save` does).
    static func unchangedCheck(_ lines: [String]) -> String {
        "[ \"$(iptables -S INPUT | grep '^-A INPUT ')\" = \(ShellQuote.quote(lines.joined(separator: "\n"))) ]"
    }

    /// Inserting and saving rules changes the live rules and the saved rules file.
    static func effect(_ persistence: IptablesPersistence) -> CommandEffect {
        persistence.savedPath.map { CommandEffect.edit(of: $0).union(.changes(.packetFilter)) } ?? .changes(.packetFilter)
    }

    /// `-p tcp [-s SRC] -m state --state NEW -m tcp --dport N [-m comment --comment C] -j ACCEPT`:
    /// the stock ruleset's own style, understood by iptables 1.4.7 and 1.8.
    static func acceptRule(_ opening: OpenPort.Opening, comment: String?) -> IptablesRule {
        let range = opening.range
        var criteria = [IptablesRule.Criterion("-p", range.proto)]
        if let source = opening.source { criteria.append(.init("-s", source)) }
        var matches = [
            IptablesRule.Match("state", [.init("--state", ["NEW"])]),
            IptablesRule.Match(range.proto, [.init("--dport", [range.iptablesPort])]),
        ]
        if let comment { matches.append(.init("comment", [.init("--comment", [comment])])) }
        return IptablesRule(chain: "INPUT", criteria: criteria, matches: matches, target: "ACCEPT")
    }
}
