import Interpreter
import OrderedCollections

/// `service`: bring a service to the requested state and boot setting. Reads both in one
/// exec and acts only on what differs; `restarted` and `reloaded` always act, because a
/// recipe asks for them only when the service's configuration changed
/// (`if conf.changed { service("libvirtd", state: "restarted") }`).
enum Service {
    static let name = Param.string("name", positional: true, rule: .commandWord, doc: "The service (`nfs-server`, `libvirtd`; no `.service` needed).")
    static let state = Param.nonEmptyString(
        "state", choices: ["running", "stopped", "restarted", "reloaded"],
        doc: "`running`/`stopped` act only when needed; `restarted`/`reloaded` always act. Left out: not touched.")
    static let enabled = Param.optionalBool("enabled", doc: "Start at boot (`systemctl enable`, `chkconfig NAME on`). Left out: not touched.")

    static let spec = OpSpec(
        name: "service",
        summary: "Start, stop, restart or reload a service and enable or disable it at boot (systemd or SysV init).",
        params: [name.spec, state.spec, enabled.spec],
        examples: [
            #"service "rpcbind" state: "running" enabled: true"#,
            #"if conf.changed { service "libvirtd" state: "restarted" }"#,
        ],
        resultFields: [
            FieldSpec("was_running", .oneOf([.bool, .none]), doc: "Whether the service ran before this call (none for a plain `restarted`, which reads nothing)"),
            FieldSpec("was_enabled", .oneOf([.bool, .none]), doc: "Whether it started at boot before this call (none for units that cannot be enabled, or a plain `restarted`)"),
            FieldSpec("init", oneOf: HostFacts.InitSystem.allCases.map(\.rawValue), doc: "`systemd` or `sysv`: which commands were used"),
        ],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { effect(of: $0[name], verbs: ["stop"]) }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let name = arguments[Self.name]
        guard !name.isEmpty, !name.hasPrefix("-") else { throw OpError("`\(name)` is not a service name") }
        let state = arguments[Self.state]
        let enabled = arguments[Self.enabled]
        guard state != nil || enabled != nil else {
            return .noChange("neither `state` nor `enabled` was asked for")
        }
        let facts = try await context.facts()
        if state == "restarted" && enabled == nil {
            // A restart happens whatever the state: reading it first would cost the host an
            // exec (and two status commands) for nothing.
            let record: OrderedDictionary<String, Value> = ["was_running": .none, "was_enabled": .none,
                                                            "init": .string(facts.initSystem.rawValue)]
            var plan = OpPlan(actions: [.run(command: command("restart", name: name, initSystem: facts.initSystem),
                                             summary: "restart \(name)")],
                              details: record, effect: effect(of: name, verbs: ["restart"]))
            // Check mode reads the status anyway, so the ops after this one see the service
            // running; when that status is itself unknown, they see it unknown.
            if context.checkMode, let before = try? await status(name, facts.initSystem, context) {
                plan.predicts = predictions(name: name, state: state, enabled: nil, before: before, initSystem: facts.initSystem)
            }
            return plan
        }
        let current = try await status(name, facts.initSystem, context)
        return try plan(name: name, state: state, enabled: enabled, status: current, initSystem: facts.initSystem)
    }

    static func status(_ name: String, _ initSystem: HostFacts.InitSystem, _ context: any HostContext) async throws -> ServiceStatus {
        let output = try await HostProbe.run(ServiceStatus.probe(name, initSystem: initSystem), on: context)
        return ServiceStatus.parse(output.stdoutText, initSystem: initSystem)
    }

    /// What the status probe answers once the verbs ran: check mode plans the ops after this
    /// one on it (`OpPlan.predicts`).
    static func predictions(name: String, state: String?, enabled: Bool?, before: ServiceStatus,
                            initSystem: HostFacts.InitSystem) -> [Probe: CommandResult] {
        var after = before
        switch state {
        case "running", "restarted", "reloaded": after.running = true
        case "stopped": after.running = false
        default: break
        }
        if let enabled, before.enabled != nil { after.enabled = enabled }
        let output = Array(after.probeOutput(name: name, initSystem: initSystem).utf8)
        return [ServiceStatus.probe(name, initSystem: initSystem): CommandResult(stdout: output, stderr: [], status: 0)]
    }

    /// The decision, from a status already read: tests call it with canned states.
    static func plan(name: String, state: String?, enabled: Bool?, status: ServiceStatus,
                     initSystem: HostFacts.InitSystem) throws -> OpPlan {
        var verbs: [String] = []
        switch state {
        case "running" where !status.running: verbs.append("start")
        case "stopped" where status.running: verbs.append("stop")
        case "restarted": verbs.append("restart")
        case "reloaded": verbs.append("reload")
        case nil, "running", "stopped": break
        case let other?: throw OpError("unknown service state `\(other)`", hint: "running, stopped, restarted or reloaded")
        }
        var notes: [String] = []
        if let enabled {
            if status.enabled == nil {
                notes.append("\(name) cannot be enabled or disabled (a static unit)")
            } else if status.enabled != enabled {
                verbs.append(enabled ? "enable" : "disable")
            }
        }
        var record = OpPlan.noChange().details
        record["was_running"] = .bool(status.running)
        record["was_enabled"] = status.enabled.map(Value.bool) ?? Value.none
        record["init"] = .string(initSystem.rawValue)
        guard !verbs.isEmpty else {
            let reason = ([describe(status, name: name)] + notes).joined(separator: "; ")
            return .noChange(reason, details: record)
        }
        let line = Shell.all(verbs.map { command($0, name: name, initSystem: initSystem) })
        var plan = OpPlan(actions: [.run(command: line, summary: verbs.map { "\($0) \(name)" }.joined(separator: ", "))],
                          reason: notes.isEmpty ? nil : notes.joined(separator: "; "), details: record,
                          effect: effect(of: name, verbs: verbs))
        plan.predicts = predictions(name: name, state: state, enabled: enabled, before: status, initSystem: initSystem)
        return plan
    }

    static func command(_ verb: String, name: String, initSystem: HostFacts.InitSystem) -> String {
        switch (initSystem, verb) {
        case (.systemd, _): return ShellQuote.command(["systemctl", verb, "--", name])
        case (.sysv, "enable"): return ShellQuote.command(["chkconfig", name, "on"])
        case (.sysv, "disable"): return ShellQuote.command(["chkconfig", name, "off"])
        case (.sysv, _): return ShellQuote.command(["service", name, verb])
        }
    }

    private static func describe(_ status: ServiceStatus, name: String) -> String {
        let running = status.running ? "running" : "stopped"
        switch status.enabled {
        case true?: return "\(name) is \(running) and enabled"
        case false?: return "\(name) is \(running) and disabled"
        case nil: return "\(name) is \(running)"
        }
    }

    /// What the run must read again after these verbs. Starting, restarting, reloading or
    /// enabling a unit leaves the units it pulls in running or enabled too, so at worst a
    /// later op starts one again; only this unit's status is read again. Stopping or
    /// disabling may stop units that depend on it, so every service status is read again.
    /// Units that load firewall rules or mount file systems change more than services.
    static func effect(of name: String, verbs: [String]) -> CommandEffect {
        let wide = ["iptables", "firewalld", "nftables", "netfilter", ".mount", "remote-fs", "netfs", "nfs-client"]
        if wide.contains(where: { name.contains($0) }) { return .anything }
        if verbs.contains("stop") || verbs.contains("disable") { return .changes(.services) }
        return .changes(.service(name))
    }
}
