import Interpreter

/// open-port on a firewalld host: ask `firewall-cmd --permanent --query-port` for every
/// port in one exec, add the missing ones to the permanent configuration and `--reload`
/// so the running firewall takes them. With a `source`, rich rules take the place of
/// plain ports (firewalld ports cannot be limited to a source).
enum OpenPortFirewalld {
    static func plan(_ request: OpenPort.Request, _ context: any HostContext) async throws -> OpPlan {
        let queries = request.openings.map { opening in
            "printf '%s\\n' " + ShellQuote.quote(opening.description + "=")
                + Shell.output(of: ShellQuote.command(["firewall-cmd", "--permanent", query(opening)]), stderr: "&1")
        }
        let answers = try await HostProbe.output(Probe(Shell.sequence(queries), reads: [.firewalld]), on: context, what: "firewalld ports")
        return try plan(request, answers: HostProbe.fields(answers))
    }

    /// Planning from the answers (`16509/tcp=yes`): tests call it with canned answers.
    static func plan(_ request: OpenPort.Request, answers: [String: String]) throws -> OpPlan {
        var missing: [OpenPort.Opening] = []
        var open: [OpenPort.Opening] = []
        for opening in request.openings {
            switch answers[opening.description] {
            case "yes": open.append(opening)
            case "no": missing.append(opening)
            case let other:
                throw OpError("firewall-cmd did not answer for \(opening): \(other ?? "no output")",
                              hint: "is firewalld running? `firewall-cmd --state`")
            }
        }
        let details: [(String, Value)] = [
            ("backend", .string("firewalld")),
            ("added", OpenPort.labels(missing)),
            ("already_open", OpenPort.labels(open)),
            ("dead_rules", .list([])),
            ("persisted_with", .string(missing.isEmpty ? "" : "firewall-cmd --permanent")),
        ]
        guard !missing.isEmpty else {
            return .noChange("every requested port is already open in firewalld's permanent configuration",
                             details: .init(uniqueKeysWithValues: details))
        }
        let add = ShellQuote.command(["firewall-cmd", "--permanent"] + missing.map(addition))
        let command = Shell.all([add, ShellQuote.command(["firewall-cmd", "--reload"])])
        return OpPlan(actions: [.run(command: command, summary: "open \(missing.map(\.description).joined(separator: ", ")) in firewalld")],
                      details: .init(uniqueKeysWithValues: details), effect: .changes(.firewalld, .packetFilter))
    }

    static func query(_ opening: OpenPort.Opening) -> String {
        if let source = opening.source { return "--query-rich-rule=" + richRule(opening.range, source: source) }
        return "--query-port=" + opening.range.description
    }

    static func addition(_ opening: OpenPort.Opening) -> String {
        if let source = opening.source { return "--add-rich-rule=" + richRule(opening.range, source: source) }
        return "--add-port=" + opening.range.description
    }

    /// `rule family="ipv4" source address="10.0.0.0/24" port port="2049" protocol="tcp" accept`
    static func richRule(_ range: PortRange, source: String) -> String {
        let family = source.contains(":") ? "ipv6" : "ipv4"
        let port = range.isSinglePort ? String(range.low) : "\(range.low)-\(range.high)"
        return "rule family=\"\(family)\" source address=\"\(source)\" port port=\"\(port)\" protocol=\"\(range.proto)\" accept"
    }
}
