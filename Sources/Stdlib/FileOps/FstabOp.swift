import Interpreter

/// `fstab SOURCE MOUNTPOINT FSTYPE`: one /etc/fstab entry per mount point. Mounting is the
/// `mount` op's job; this only edits the file.
enum FstabOp {
    static let source = Param.string("source", positional: true, rule: .singleLine, doc: "What is mounted: `ctl:/` (NFSv4), `ctl:/var/lib/nova/instances` (NFSv3), a device or `UUID=...`.")
    static let mountpoint = Param.string("mountpoint", positional: true, rule: .singleLine, doc: "Absolute path of the mount point; the entry is found by it. `swap` (or `none`) for a swap area: swap entries are found by their source.")
    static let fstype = Param.string("fstype", positional: true, rule: .singleLine, doc: "`nfs4`, `nfs`, `xfs`... (`facts().fstab_type` gives the NFS one).")
    static let options = Param.string("options", default: "defaults", rule: .singleLine, doc: "Comma-separated mount options, as written in the file.")
    static let dump = Param.int("dump", default: 0, doc: "The fifth field (dump frequency).")
    static let pass = Param.int("pass", default: 0, doc: "The sixth field (fsck order; 0 for network file systems).")
    static let state = Param.string(
        "state", default: "present", choices: ["present", "absent"],
        doc: "`present`: the first entry for the mount point is kept when its six fields are equal "
            + "(spacing does not matter), else replaced; other entries for the mount point are removed; "
            + "a missing entry is appended, aligned to the columns of the file's first entry. `absent` "
            + "removes every entry for the mount point.")
    static let path = Param.string("path", default: "/etc/fstab", doc: "The fstab file to edit.")

    static let spec = OpSpec(
        name: "fstab",
        summary: "Make /etc/fstab hold exactly one entry for a mount point (the file only; `mount` mounts).",
        params: [source.spec, mountpoint.spec, fstype.spec, options.spec, dump.spec, pass.spec, state.spec, path.spec,
                 FileEditing.backup.spec],
        examples: [
            #"fstab "ctl:/" "/var/lib/nova/instances" "nfs4" options: "defaults,_netdev,context=\"system_u:object_r:nova_var_lib_t:s0\"""#,
            #"fstab "ctl:/var/lib/nova/instances" "/var/lib/nova/instances" "nfs" options: "defaults,_netdev,nfsvers=3""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The file's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "fstab")
        let mountpoint = arguments[Self.mountpoint]
        if !["swap", "none"].contains(mountpoint) { try FileEditing.requireAbsolutePath(mountpoint, op: "fstab", param: "mountpoint") }
        for param in [Self.source, Self.fstype, Self.options] {
            let value = arguments[param]
            if param.name != Self.options.name && value.isEmpty { throw OpError("fstab: `\(param.name)` is empty") }
            if value.containsLineBreak || value.contains("#") {
                throw OpError("fstab: `\(param.name)` cannot contain a newline or `#`")
            }
        }
        let entry = FstabEntry(source: arguments[Self.source], mountpoint: mountpoint, fstype: arguments[Self.fstype],
                               options: arguments[Self.options], dump: arguments[Self.dump], pass: arguments[Self.pass])
        let before = try await FileEditing.readBytes(path, context: context, op: "fstab")
        var file = Fstab(before ?? [])
        if arguments[Self.state] == "absent" { file.remove(entry) } else { file.ensure(entry) }
        if before == nil && file.bytes.isEmpty { return .noChange("\(path) does not exist", details: ["path": .string(path)]) }
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        return try await FileEditing.writePlan(path: path, before: before, after: file.bytes, options: options, context: context,
                                               details: ["path": .string(path), "mountpoint": .string(mountpoint)])
    }
}
