import Interpreter

/// `mount-info PATH`: what is mounted on a directory now, read from `mount`'s table (RHEL 6
/// has no findmnt). For preflight checks (an instances directory must be empty or already
/// this share) and verify steps (the share is mounted from the right server, with NFS).
enum MountInfo {
    static let mountpoint = Param.string("mountpoint", positional: true, doc: "The directory (absolute path).")

    static let spec = OpSpec(
        name: "mount-info",
        summary: "What is mounted on a directory now: {source, fstype, options}, or none when nothing is.",
        params: [mountpoint.spec],
        examples: [
            #"let m = mount-info "/var/lib/nova/instances""#,
            #"expect(m != none and m.fstype == "nfs4", "the instances directory is on NFSv4")"#,
        ],
        returns: .oneOf([.record, .none]),
        resultFields: [
            FieldSpec("source", .string, doc: "what is mounted (`ctl:/var/lib/nova/instances`)"),
            FieldSpec("fstype", .string, doc: "the file system type (`nfs`, `nfs4`, `xfs`...)"),
            FieldSpec("options", .string, doc: "the mount options, comma-separated"),
        ],
        body: .query { arguments, context in
            let path = arguments[mountpoint]
            try FileEditing.requireAbsolutePath(path, op: "mount-info")
            let table = MountTable.parse(try await HostProbe.output(Probe("mount", reads: [.mounts]), on: context, what: "the mount table"))
            guard let entry = table.entry(at: path) else { return .none }
            return .record([
                "source": .string(entry.source),
                "fstype": .string(entry.type),
                "options": .string(entry.options.joined(separator: ",")),
            ])
        })
}
