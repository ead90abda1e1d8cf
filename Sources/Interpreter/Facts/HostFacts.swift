import OrderedCollections

/// What crucible knows about a host: distribution, init system, firewall, SELinux, names,
/// and the NFS choices that follow from them. Gathered once per host per run, in one exec,
/// with nothing but POSIX sh and coreutils (RHEL 6 has no os-release and no Python).
public struct HostFacts: Sendable, Equatable {
    public enum Family: String, Sendable, CaseIterable { case rhel, fedora, debian, unknown }
    public enum InitSystem: String, Sendable, CaseIterable { case systemd, sysv }
    public enum Firewall: String, Sendable, CaseIterable { case firewalld, iptables, none }
    public enum SELinux: String, Sendable, CaseIterable { case enforcing, permissive, disabled }

    public var family: Family
    /// `rhel`, `centos`, `fedora`, `debian`...
    public var distribution: String
    public var version: String
    public var majorVersion: Int
    public var prettyName: String
    public var initSystem: InitSystem
    public var firewall: Firewall
    public var selinux: SELinux
    public var hostname: String
    public var fqdn: String
    /// The IP address this run reached the host on (from sshd's SSH_CONNECTION), so that
    /// /etc/hosts entries get an address even when the host was named by an ssh alias.
    public var address: String
    /// uid and gid of the `nova` and `qemu` users (nil: no such user): every node sharing the
    /// instances directory must agree on them.
    public var novaIDs: AccountIDs?
    public var qemuIDs: AccountIDs?

    public struct AccountIDs: Sendable, Equatable {
        public var uid: Int
        public var gid: Int
    }
    /// The NFS units this host ships (systemd hosts; the unit file itself, not an alias):
    /// the names differ between releases (nfs-idmap on RHEL 7.0 and Fedora 20, nfs-idmapd later).
    public var nfsUnits: Set<String> = []
    /// Op keys (`RECIPE|LOCATION`) that an earlier run changed without reaching the end of
    /// its run on this host (`FollowUps`): read with the facts, not shown to recipes.
    public var pendingFollowUps: Set<String> = []

    /// 3 on EL6, 4 on EL7 and Fedora.
    public var nfsVersion: Int {
        family == .rhel && majorVersion <= 6 ? 3 : 4
    }
    public var nfsServerService: String { initSystem == .sysv ? "nfs" : "nfs-server" }
    /// The idmap daemon: the NFSv4 server's (and RHEL 6 clients'); "" when the host has none.
    public var idmapService: String {
        initSystem == .sysv ? "rpcidmapd" : firstUnit(Self.idmapUnits)
    }
    /// statd, the NFSv3 lock monitor; "" when the host has none.
    public var nfsLockService: String {
        initSystem == .sysv ? "nfslock" : firstUnit(Self.lockUnits)
    }
    /// RHEL 7.1+ / Fedora 21: the unit that turns /etc/sysconfig/nfs into the daemons'
    /// arguments, once per start; "" where the daemons read the file themselves.
    public var nfsConfigService: String { initSystem == .sysv ? "" : firstUnit(Self.configUnits) }

    /// The systemd units of each NFS daemon, the preferred name first.
    static let idmapUnits = ["nfs-idmapd", "nfs-idmap"]
    static let lockUnits = ["rpc-statd", "nfs-lock"]
    static let configUnits = ["nfs-config"]

    private func firstUnit(_ names: [String]) -> String { names.first(where: nfsUnits.contains) ?? "" }
    public var fstabType: String { nfsVersion == 3 ? "nfs" : "nfs4" }

    // MARK: - The facts as recipes see them

    /// One fact of `facts()`: its declaration (name, type, the values it can take, what it
    /// means) and how it is read from the gathered facts.
    public struct Field: Sendable {
        public let spec: FieldSpec
        public let read: @Sendable (HostFacts) -> Value

        init(_ spec: FieldSpec, _ read: @escaping @Sendable (HostFacts) -> Value) {
            self.spec = spec
            self.read = read
        }
    }

    /// The one table of facts: `facts()` returns these fields in this order, the checker
    /// knows them (and the values of the closed ones), and `crucible-sh ops facts` and
    /// docs/ops.md list them.
    public static let fields: [Field] = [
        Field(FieldSpec("family", oneOf: Family.allCases.map(\.rawValue),
                        doc: "The distribution family: `rhel` (RHEL, CentOS and rebuilds), `fedora`, `debian` or `unknown`.")) {
            .string($0.family.rawValue)
        },
        Field(FieldSpec("distribution", .string, doc: "The distribution's id: `rhel`, `centos`, `fedora`, `debian`...")) {
            .string($0.distribution)
        },
        Field(FieldSpec("version", .string, doc: "The distribution's version as it writes it (`7.4`, `21`).")) { .string($0.version) },
        Field(FieldSpec("major_version", .int, doc: "The version's first number (6, 7, 21); 0 when unknown.")) { .int($0.majorVersion) },
        Field(FieldSpec("pretty_name", .string, doc: "The distribution's full name, for messages.")) { .string($0.prettyName) },
        Field(FieldSpec("init", oneOf: InitSystem.allCases.map(\.rawValue), doc: "The init system: `systemd` or `sysv`.")) {
            .string($0.initSystem.rawValue)
        },
        Field(FieldSpec("firewall", oneOf: Firewall.allCases.map(\.rawValue),
                        doc: "The active firewall: `firewalld`, `iptables` or `none`.")) {
            .string($0.firewall.rawValue)
        },
        Field(FieldSpec("selinux", oneOf: SELinux.allCases.map(\.rawValue),
                        doc: "SELinux's mode: `enforcing`, `permissive` or `disabled`.")) {
            .string($0.selinux.rawValue)
        },
        Field(FieldSpec("hostname", .string, doc: "The host's name (the kernel's).")) { .string($0.hostname) },
        Field(FieldSpec("fqdn", .string, doc: "Its fully qualified name (`hostname -f`), else the hostname.")) { .string($0.fqdn) },
        Field(FieldSpec("address", .string, doc: "The address this run reached the host on.")) { .string($0.address) },
        Field(FieldSpec("nfs_version", .int, choices: [.int(3), .int(4)],
                        doc: "The NFS version that fits the host: 3 on RHEL/CentOS 6, 4 on RHEL/CentOS 7 and Fedora.")) {
            .int($0.nfsVersion)
        },
        Field(FieldSpec("nfs_server_service", oneOf: ["nfs", "nfs-server"],
                        doc: "The NFS server's service: `nfs` (SysV) or `nfs-server` (systemd).")) {
            .string($0.nfsServerService)
        },
        Field(FieldSpec("idmap_service", oneOf: ["rpcidmapd"] + idmapUnits + [""],
                        doc: "The NFSv4 id-mapping daemon: `rpcidmapd` (SysV), `nfs-idmapd` or `nfs-idmap` (systemd, whichever the host ships), else empty.")) {
            .string($0.idmapService)
        },
        Field(FieldSpec("fstab_type", oneOf: ["nfs", "nfs4"], doc: "The fstab type of the NFS version: `nfs` or `nfs4`.")) {
            .string($0.fstabType)
        },
        Field(FieldSpec("nfs_lock_service", oneOf: ["nfslock"] + lockUnits + [""],
                        doc: "statd's service: `nfslock` (SysV), `rpc-statd` or `nfs-lock` (systemd, whichever the host ships), else empty.")) {
            .string($0.nfsLockService)
        },
        Field(FieldSpec("nfs_config_service", oneOf: configUnits + [""],
                        doc: "`nfs-config` where it turns /etc/sysconfig/nfs into the daemons' arguments (RHEL 7.1+, Fedora 21), else empty.")) {
            .string($0.nfsConfigService)
        },
        Field(FieldSpec("nova_uid", .oneOf([.int, .none]), doc: "The `nova` user's uid; none when there is no such user.")) {
            $0.novaIDs.map { .int($0.uid) } ?? .none
        },
        Field(FieldSpec("nova_gid", .oneOf([.int, .none]), doc: "The `nova` user's gid; none when there is no such user.")) {
            $0.novaIDs.map { .int($0.gid) } ?? .none
        },
        Field(FieldSpec("qemu_uid", .oneOf([.int, .none]), doc: "The `qemu` user's uid; none when there is no such user.")) {
            $0.qemuIDs.map { .int($0.uid) } ?? .none
        },
        Field(FieldSpec("qemu_gid", .oneOf([.int, .none]), doc: "The `qemu` user's gid; none when there is no such user.")) {
            $0.qemuIDs.map { .int($0.gid) } ?? .none
        },
    ]

    /// The declarations of the given facts, in the table's order (a name that is not a fact
    /// is a programming error).
    public static func fields(named names: [String]) -> [Field] {
        for name in names where !fields.contains(where: { $0.spec.name == name }) {
            preconditionFailure("`\(name)` is not a fact")
        }
        return fields.filter { names.contains($0.spec.name) }
    }

    /// The given facts as a record value, as recipes see them (`facts().nfs_version`).
    public func record(of fields: [Field]) -> Value {
        .record(OrderedDictionary(uniqueKeysWithValues: fields.map { ($0.spec.name, $0.read(self)) }))
    }

    /// Every fact as a record value. The values go into a copy of a record whose keys were
    /// hashed once (the key table stays shared): a recipe asks for every node's facts on
    /// every host, in several loops, so this runs O(nodes) times per host.
    public var value: Value {
        var record = Self.allFieldsTemplate
        for (index, field) in Self.fields.enumerated() { record.values[index] = field.read(self) }
        return .record(record)
    }

    private static let allFieldsTemplate = OrderedDictionary<String, Value>(
        uniqueKeys: fields.map(\.spec.name), values: Array(repeating: Value.none, count: fields.count))

    /// One sh script that prints `key=value` lines. os-release is read with the shell's
    /// `read`, never sourced, so a hostile file cannot run code. Files are read with builtins
    /// (`read`, `[ ]`), not sed/head/tr pipelines: every process the script starts costs the
    /// host more than the reading does, and this runs on every host of every run.
    public static let gatherScript = HostScripts.hostFacts
        .replacingOccurrences(of: "UNITS", with: (idmapUnits + lockUnits + configUnits).joined(separator: " "))

    public static var gatherCommand: String {
        ShellQuote.command(["/bin/sh", "-c", gatherScript])
    }

    /// The facts, and the pending follow-ups recorded in `pendingFile` (one key per line).
    public static func gatherCommand(pendingFile: String?) -> String {
        ShellQuote.command(["/bin/sh", "-c", gatherScript + "\n" + pendingReader, "crucible-facts", pendingFile ?? ""])
    }

    /// Prints `pending=KEY` for each line of the file named by `$1`, if there is one.
    static let pendingReader = HostScripts.pendingFollowUps

    /// Builds facts from the script's output.
    public static func parse(_ output: String) -> HostFacts {
        var raw: [String: String] = [:]
        var pending: Set<String> = []
        var units: Set<String> = []
        for line in output.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            switch key {
            case "pending": pending.insert(value)
            case "unit": units.insert(value)
            default: raw[key] = value
            }
        }
        var distribution = raw["os_id"] ?? ""
        var version = raw["os_version"] ?? ""
        var pretty = raw["os_pretty"] ?? ""
        if distribution.isEmpty, let release = raw["redhat_release"] {
            // "Red Hat Enterprise Linux Server release 6.6 (Santiago)", "CentOS release 6.5 (Final)"
            let lower = release.lowercased()
            distribution = lower.contains("centos") ? "centos" : lower.contains("fedora") ? "fedora" : "rhel"
            version = Self.releaseNumber(in: release) ?? ""
            pretty = release
        }
        if distribution.isEmpty, let debian = raw["debian_version"] {
            distribution = "debian"
            version = debian
        }
        let like = (raw["os_like"] ?? "").split(separator: " ").map(String.init)
        let family: Family
        switch distribution {
        case "rhel", "centos", "rocky", "almalinux", "ol", "scientific": family = .rhel
        case "fedora": family = .fedora
        case "debian", "ubuntu": family = .debian
        default:
            family = like.contains("rhel") ? .rhel : like.contains("fedora") ? .fedora : like.contains("debian") ? .debian : .unknown
        }
        let major = Int(version.split(separator: ".").first ?? "") ?? 0
        let initSystem: InitSystem = raw["init"] == "systemd" ? .systemd : .sysv
        let firewall: Firewall
        if raw["firewalld"] == "active" || raw["firewalld"] == "running" { firewall = .firewalld }
        else if raw["iptables"] == "yes" { firewall = .iptables }
        else { firewall = .none }
        let selinux: SELinux
        switch (raw["selinux"] ?? "").lowercased() {
        case "enforcing": selinux = .enforcing
        case "permissive": selinux = .permissive
        default: selinux = raw["selinux_enforce"] == "1" ? .enforcing : raw["selinux_enforce"] == "0" ? .permissive : .disabled
        }
        let hostname = raw["hostname"] ?? ""
        let fqdn = raw["fqdn"].flatMap { $0.isEmpty ? nil : $0 } ?? hostname
        // SSH_CONNECTION is "client-ip client-port server-ip server-port".
        let connection = (raw["connection"] ?? "").split(separator: " ")
        let address = connection.count >= 3 ? String(connection[2]) : "127.0.0.1"
        var facts = HostFacts(
            family: family, distribution: distribution, version: version, majorVersion: major,
            prettyName: pretty.isEmpty ? "\(distribution) \(version)" : pretty, initSystem: initSystem,
            firewall: firewall, selinux: selinux, hostname: hostname, fqdn: fqdn, address: address)
        facts.pendingFollowUps = pending
        facts.nfsUnits = units
        facts.novaIDs = ids(raw["user_nova"])
        facts.qemuIDs = ids(raw["user_qemu"])
        return facts
    }

    /// "UID:GID" from the passwd line.
    private static func ids(_ text: String?) -> AccountIDs? {
        guard let parts = text?.split(separator: ":"), parts.count == 2,
              let uid = Int(parts[0]), let gid = Int(parts[1]) else { return nil }
        return AccountIDs(uid: uid, gid: gid)
    }

    private static func releaseNumber(in text: String) -> String? {
        let words = text.split(separator: " ")
        guard let index = words.firstIndex(where: { $0 == "release" }), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }
}
