import Interpreter

/// `systemd-dropin UNIT content: ...`: /etc/systemd/system/UNIT.d/NAME.conf.
enum SystemdDropin {
    static let unit = Param.string("unit", positional: true,
                                   doc: "The unit, e.g. `openstack-nova-compute` (`.service` is added when no suffix is given).")
    static let content = Param.string("content",
                                      doc: "The drop-in's content, section headers included; a final newline is added when missing.")
    static let name = Param.string("name", default: "crucible", doc: "The drop-in's file name without `.conf`.")
    static let directory = Param.string(
        "directory", default: "/etc/systemd/system",
        doc: "Where administrators' unit files live; the drop-in goes in `UNIT.d/` under it. Files "
            + "under /usr/lib/systemd/system belong to packages, and updates overwrite them.")

    static let spec = OpSpec(
        name: "systemd-dropin",
        summary: "Write a systemd drop-in (UNIT.d/NAME.conf) instead of editing a packaged unit file.",
        params: [unit.spec, content.spec, name.spec, directory.spec, FileEditing.backup.spec],
        examples: [
            #"let result = systemd-dropin "openstack-nova-compute" content: "[Unit]\nRequiresMountsFor=/var/lib/nova/instances\n""#,
            #"if result.needs_daemon_reload { daemon-reload }"#,
        ],
        resultFields: [
            FieldSpec("path", .string, doc: "The drop-in's path."),
            FieldSpec("needs_daemon_reload", .bool, doc: "True when the drop-in changed (or would, in check mode): run `systemctl daemon-reload` before restarting the unit."),
        ],
        body: .plan(plan)
    ).mayChange { arguments in
        let unit = arguments[Self.unit]
        let path = path(unit: unit.contains(".") ? unit : unit + ".service", name: arguments[Self.name],
                        directory: arguments[Self.directory])
        return CommandEffect.edit(of: path).union(.changes(.loadedUnits))
    }

    static func path(unit: String, name: String, directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + unit + ".d/" + name + ".conf"
    }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        var unit = arguments[Self.unit]
        let name = arguments[Self.name]
        let directory = arguments[Self.directory]
        try FileEditing.requireAbsolutePath(directory, op: "systemd-dropin", param: "directory")
        for (param, value) in [("unit", unit), ("name", name)] where value.isEmpty || value.contains("/") || value.hasPrefix(".") || value.contains(where: \.isWhitespace) {
            throw OpError("systemd-dropin: `\(param)` \(Value.quoted(value)) is not a unit or file name")
        }
        if !unit.contains(".") { unit += ".service" }
        var content = arguments[Self.content]
        if !content.isEmpty && !content.hasSuffix("\n") { content += "\n" }
        let path = path(unit: unit, name: name, directory: directory)
        let before = try await FileEditing.readBytes(path, context: context, op: "systemd-dropin")
        let after = Array(content.utf8)
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        var plan = try await FileEditing.writePlan(path: path, before: before, after: after, options: options, context: context,
                                                   details: ["path": .string(path)])
        plan.details["needs_daemon_reload"] = .bool(plan.changes)
        // systemd now holds an older version of the unit: `daemon-reload UNIT` must see that.
        plan.writesChange = [.loadedUnits]
        if plan.changes {
            let stale = CommandResult(stdout: Array("NeedDaemonReload=yes\n".utf8), stderr: [], status: 0)
            for spelling in Set([unit, arguments[Self.unit]]) { plan.predicts[DaemonReload.probe(spelling)] = stale }
        }
        return plan
    }
}
