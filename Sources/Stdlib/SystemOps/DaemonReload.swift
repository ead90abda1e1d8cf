import Interpreter

/// `daemon-reload`: make systemd re-read unit files after a recipe wrote a drop-in.
/// Given a `unit`, reloads only when systemd says that unit's files changed on disk
/// (`NeedDaemonReload=yes`); without one it reloads every time it is called, so call it
/// only when a unit file changed. A SysV host has nothing to reload.
enum DaemonReload {
    static let unit = Param.nonEmptyString("unit", positional: true, rule: .commandWord,
                                           doc: "Reload only when this unit's files changed since systemd read them.")

    static let spec = OpSpec(
        name: "daemon-reload",
        summary: "Run `systemctl daemon-reload` (systemd hosts only; a no-op on SysV init).",
        params: [unit.spec],
        examples: [
            #"if dropin.changed { daemon-reload }"#,
            #"daemon-reload "openstack-nova-compute""#,
        ],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { _ in .changes(.loadedUnits) }

    static let reloadCommand = ShellQuote.command(["systemctl", "daemon-reload"])

    /// Whether systemd holds older files of `unit` than the disk: `NeedDaemonReload=yes|no`.
    static func probe(_ unit: String) -> Probe {
        Probe(ShellQuote.command(["systemctl", "show", "-p", "NeedDaemonReload", "--", unit]), reads: [.loadedUnits])
    }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let facts = try await context.facts()
        guard facts.initSystem == .systemd else {
            return .noChange("the host runs SysV init: there are no unit files to reload")
        }
        if let unit = arguments[Self.unit] {
            let output = try await HostProbe.run(probe(unit), on: context)
            if HostProbe.fields(output.stdoutText)["NeedDaemonReload"] == "no" {
                return .noChange("systemd already has the current files of \(unit)")
            }
        }
        var plan = OpPlan(actions: [.run(command: reloadCommand, summary: "reload systemd unit files")],
                          effect: .changes(.loadedUnits))
        plan.predictsReading[.loadedUnits] = CommandResult(stdout: Array("NeedDaemonReload=no\n".utf8), stderr: [], status: 0)
        return plan
    }
}
