import Interpreter

/// `detect-nfs`: the NFS choices for this host, read from its facts (RHEL 6: NFSv3, `nfs`
/// service, `rpcidmapd`, `nfslock`; RHEL 7 and Fedora: NFSv4, `nfs-server`, `nfs-idmapd`).
enum DetectNFS {
    static let spec = OpSpec(
        name: "detect-nfs",
        summary: "The NFS version, fstab type and service names that fit this host.",
        params: [],
        examples: [#"let nfs = detect-nfs()"#, #"service nfs.server_service state: "running" enabled: true"#],
        resultFields: [
            ("nfs_version", "3 on RHEL/CentOS 6, 4 on RHEL/CentOS 7 and Fedora"),
            ("fstab_type", "`nfs` or `nfs4`"),
            ("server_service", "`nfs` or `nfs-server`"),
            ("idmap_service", "`rpcidmapd` or `nfs-idmapd`"),
            ("lock_service", "statd's service: `nfslock` (SysV), `rpc-statd` or `nfs-lock` (systemd, whichever the host ships), else empty"),
            ("init", "`systemd` or `sysv`"),
            ("firewall", "`firewalld`, `iptables` or `none`"),
            ("selinux", "`enforcing`, `permissive` or `disabled`"),
            ("family", "`rhel`, `fedora`, `debian` or `unknown`"),
            ("major_version", "The distribution's major version (6, 7, 21)"),
        ],
        body: .query { _, context in record(try await context.facts()) })

    static func record(_ facts: HostFacts) -> Value {
        .record([
            "nfs_version": .int(facts.nfsVersion),
            "fstab_type": .string(facts.fstabType),
            "server_service": .string(facts.nfsServerService),
            "idmap_service": .string(facts.idmapService),
            "lock_service": .string(facts.nfsLockService),
            "init": .string(facts.initSystem.rawValue),
            "firewall": .string(facts.firewall.rawValue),
            "selinux": .string(facts.selinux.rawValue),
            "family": .string(facts.family.rawValue),
            "major_version": .int(facts.majorVersion),
        ])
    }
}
