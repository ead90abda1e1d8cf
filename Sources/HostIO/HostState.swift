/// A part of a host's state that a probe reads and a command may change. Probes declare the
/// parts they read (`Probe.reads`) and planned commands the parts they may change
/// (`CommandEffect`), so a run knows which of its cached reads a change makes stale, and
/// check mode which reads it cannot answer, by comparing declarations, not command text.
public enum HostState: Hashable, Sendable, CustomStringConvertible {
    /// A file's bytes.
    case contents(String)
    /// What `stat` and `test` say of a path: whether it exists, its type, mode and owner,
    /// where a link points. A file's bytes are `contents`.
    case path(String)
    /// One service's status: whether it runs, whether it starts at boot.
    case service(String)
    /// Every service's status: what stopping or disabling a unit may change (the units that
    /// need it stop too). Overlaps every `service`.
    case services
    /// A user account: what `getent passwd` and `id` say of it.
    case user(String)
    /// The running packet filter rules (`iptables-save`).
    case packetFilter
    /// firewalld's zones and what they open (`firewall-cmd`).
    case firewalld
    /// The mount table.
    case mounts
    /// SELinux booleans (`getsebool`).
    case selinuxBooleans
    /// The NFS server's export table (`exportfs`, `showmount`).
    case exports
    /// Whether systemd has loaded the unit files on disk (`NeedDaemonReload`).
    case loadedUnits

    /// Whether a change of `self` changes what a read of `other` sees, and the other way round.
    public func overlaps(_ other: HostState) -> Bool {
        switch (self, other) {
        case (.services, .service), (.service, .services): return true
        default: return self == other
        }
    }

    /// `path` and every directory above it (not `/`): `/etc/a/b` → `/etc/a/b`, `/etc/a`, `/etc`.
    public static func pathAndDirectories(_ path: String) -> [HostState] {
        var states: [HostState] = []
        var current = Substring(path)
        while !current.isEmpty, current != "/" {
            states.append(.path(String(current)))
            guard let slash = current.lastIndex(of: "/") else { break }
            current = current[..<slash]
        }
        return states
    }

    public var description: String {
        switch self {
        case .contents(let path): return "the contents of \(path)"
        case .path(let path): return path
        case .service(let name): return "service \(name)"
        case .services: return "every service"
        case .user(let name): return "user \(name)"
        case .packetFilter: return "the packet filter rules"
        case .firewalld: return "firewalld"
        case .mounts: return "the mount table"
        case .selinuxBooleans: return "the SELinux booleans"
        case .exports: return "the export table"
        case .loadedUnits: return "systemd's loaded units"
        }
    }
}

extension Collection where Element == HostState {
    /// Whether any part here overlaps any part of `other`.
    public func overlaps(_ other: some Collection<HostState>) -> Bool {
        contains { mine in other.contains { mine.overlaps($0) } }
    }
}
