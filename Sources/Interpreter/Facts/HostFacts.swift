import OrderedCollections

/// What crucible knows about a host: distribution, init system, firewall, SELinux, names,
/// and the NFS choices that follow from them. Gathered once per host per run, in one exec,
/// with nothing but POSIX sh and coreutils (RHEL 6 has no os-release and no Python).
public struct HostFacts: Sendable, Equatable {
    public enum Family: String, Sendable { case rhel, fedora, debian, unknown }
    public enum InitSystem: String, Sendable { case systemd, sysv }
    public enum Firewall: String, Sendable { case firewalld, iptables, none }
    public enum SELinux: String, Sendable { case enforcing, permissive, disabled }

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
        initSystem == .sysv ? "rpcidmapd" : firstUnit(["nfs-idmapd", "nfs-idmap"])
    }
    /// statd, the NFSv3 lock monitor; "" when the host has none.
    public var nfsLockService: String {
        initSystem == .sysv ? "nfslock" : firstUnit(["rpc-statd", "nfs-lock"])
    }
    /// RHEL 7.1+ / Fedora 21: the unit that turns /etc/sysconfig/nfs into the daemons'
    /// arguments, once per start; "" where the daemons read the file themselves.
    public var nfsConfigService: String { initSystem == .sysv ? "" : firstUnit(["nfs-config"]) }

    private func firstUnit(_ names: [String]) -> String { names.first(where: nfsUnits.contains) ?? "" }
    public var fstabType: String { nfsVersion == 3 ? "nfs" : "nfs4" }

    /// The facts as a record value, as recipes see them (`facts().nfs_version`).
    public var value: Value {
        // The values put into a copy of a record whose keys are hashed once (the keys stay
        // shared): a recipe asks for every node's facts on every host, N times per host.
        let id = { (ids: AccountIDs?, uid: Bool) -> Value in ids.map { .int(uid ? $0.uid : $0.gid) } ?? Value.none }
        let values: [Value] = [
            .string(family.rawValue), .string(distribution), .string(version), .int(majorVersion), .string(prettyName),
            .string(initSystem.rawValue), .string(firewall.rawValue), .string(selinux.rawValue), .string(hostname),
            .string(fqdn), .string(address), .int(nfsVersion), .string(nfsServerService), .string(idmapService),
            .string(fstabType), .string(nfsLockService), .string(nfsConfigService),
            id(novaIDs, true), id(novaIDs, false), id(qemuIDs, true), id(qemuIDs, false),
        ]
        var fields = Self.template
        for (index, value) in values.enumerated() { fields.values[index] = value }
        return .record(fields)
    }

    private static let template = OrderedDictionary<String, Value>(
        uniqueKeys: fieldNames, values: Array(repeating: Value.none, count: fieldNames.count))

    /// Field names of `value`, for the checker and REPL completion.
    public static let fieldNames = [
        "family", "distribution", "version", "major_version", "pretty_name", "init", "firewall",
        "selinux", "hostname", "fqdn", "address", "nfs_version", "nfs_server_service", "idmap_service",
        "fstab_type", "nfs_lock_service", "nfs_config_service", "nova_uid", "nova_gid", "qemu_uid", "qemu_gid",
    ]

    /// One sh script that prints `key=value` lines. os-release is read with the shell's
    /// `read`, never sourced, so a hostile file cannot run code. Files are read with builtins
    /// (`read`, `[ ]`), not sed/head/tr pipelines: every process the script starts costs the
    /// host more than the reading does, and this runs on every host of every run.
    public static let gatherScript = #"""
if [ -r /etc/os-release ]; then
  seen=
  while IFS='=' read -r k v || [ -n "$k" ]; do
    case " $seen " in *" $k "*) continue ;; esac
    case $k in
      ID) n=os_id ;; ID_LIKE) n=os_like ;; VERSION_ID) n=os_version ;; PRETTY_NAME) n=os_pretty ;;
      *) continue ;;
    esac
    seen="$seen $k"
    v=${v#[\"\']}; v=${v%[\"\']}
    printf '%s=%s\n' "$n" "$v"
  done < /etc/os-release
fi
if [ -r /etc/redhat-release ]; then read -r l < /etc/redhat-release || true; echo "redhat_release=$l"; fi
if [ -r /etc/debian_version ]; then read -r l < /etc/debian_version || true; echo "debian_version=$l"; fi
if [ -d /run/systemd/system ]; then echo "init=systemd"; else echo "init=sysv"; fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo "firewalld=$(systemctl is-active firewalld 2>/dev/null)"
elif command -v firewall-cmd >/dev/null 2>&1; then
  echo "firewalld=$(firewall-cmd --state 2>/dev/null)"
fi
if command -v iptables >/dev/null 2>&1 || [ -x /sbin/iptables ] || [ -x /usr/sbin/iptables ]; then echo "iptables=yes"; fi
if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce 2>/dev/null)"
elif [ -r /sys/fs/selinux/enforce ]; then read -r e < /sys/fs/selinux/enforce; echo "selinux_enforce=$e"; fi
if [ -r /proc/sys/kernel/hostname ]; then read -r h < /proc/sys/kernel/hostname; else h=$(uname -n); fi
echo "hostname=$h"
echo "fqdn=$(hostname -f 2>/dev/null || echo "$h")"
echo "connection=${SSH_CONNECTION:-}"
getent passwd nova qemu 2>/dev/null | while IFS=: read -r n _ u g _; do echo "user_$n=$u:$g"; done
if [ -d /run/systemd/system ]; then
  for u in nfs-idmapd nfs-idmap rpc-statd nfs-lock nfs-config; do
    f=/usr/lib/systemd/system/$u.service
    if [ -f "$f" ] && [ ! -L "$f" ]; then echo "unit=$u"; fi
  done
fi
"""#

    public static var gatherCommand: String {
        ShellQuote.command(["/bin/sh", "-c", gatherScript])
    }

    /// The facts, and the pending follow-ups recorded in `pendingFile` (one key per line).
    public static func gatherCommand(pendingFile: String?) -> String {
        ShellQuote.command(["/bin/sh", "-c", gatherScript + "\n" + pendingReader, "crucible-facts", pendingFile ?? ""])
    }

    /// Prints `pending=KEY` for each line of the file named by `$1`, if there is one.
    static let pendingReader = #"""
if [ -n "${1:-}" ] && [ -f "$1" ]; then
  while IFS= read -r k || [ -n "$k" ]; do printf 'pending=%s\n' "$k"; done < "$1"
fi

"""#

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
