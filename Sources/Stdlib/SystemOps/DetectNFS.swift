import Interpreter

/// `detect-nfs`: the NFS choices for this host, read from its facts (RHEL 6: NFSv3, `nfs`
/// service, `rpcidmapd`, `nfslock`; RHEL 7 and Fedora: NFSv4, `nfs-server`, `nfs-idmapd`).
/// The fields are facts, under the names `facts()` gives them.
enum DetectNFS {
    static let fields = HostFacts.fields(named: [
        "nfs_version", "fstab_type", "nfs_server_service", "idmap_service", "nfs_lock_service",
        "nfs_config_service", "init", "firewall", "selinux", "family", "major_version",
    ])

    static let spec = OpSpec(
        name: "detect-nfs",
        summary: "The NFS version, fstab type and service names that fit this host (the NFS facts of `facts()`).",
        params: [],
        examples: [#"let nfs = detect-nfs()"#, #"service nfs.nfs_server_service state: "running" enabled: true"#],
        resultFields: fields.map(\.spec),
        body: .query { _, context in record(try await context.facts()) })

    static func record(_ facts: HostFacts) -> Value { facts.record(of: fields) }
}
