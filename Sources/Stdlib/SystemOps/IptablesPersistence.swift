import Interpreter

/// How open-port makes its iptables rules survive a reboot, chosen from the host's facts
/// and what the probe found:
/// - SysV init (RHEL/CentOS 6): `service iptables save`, the documented way; the init
///   script writes /etc/sysconfig/iptables.
/// - systemd with iptables-services (RHEL/CentOS 7 without firewalld): the same script,
///   `/usr/libexec/iptables/iptables.init save` (`service` would need the legacy-actions
///   shim, which minimal installs lack).
/// - otherwise, when /etc/sysconfig exists: write /etc/sysconfig/iptables from
///   `iptables-save` through a private temp file (`mktemp`) and `mv`, mode 0600 like the
///   stock file; Debian's /etc/iptables/rules.v4 likewise.
///
/// Whichever writes it, with backups on the saved file's previous version is kept as
/// `FILE.crucible~`, replaced only once the save worked.
/// - with none of these, the rules are live only and the result says so.
public enum IptablesPersistence: Sendable, Equatable {
    case serviceSave
    case initScript
    case file(String)
    case none

    static let initScriptPath = "/usr/libexec/iptables/iptables.init"

    /// Shell tests for the probe, reported as `persist_*=yes|no` lines.
    static var probeLines: [String] {
        [
            HostProbe.flag("persist_initscript", test: ShellQuote.command(["[", "-x", initScriptPath, "]"])),
            HostProbe.flag("persist_sysconfig", test: ShellQuote.command(["[", "-d", "/etc/sysconfig", "]"])),
            HostProbe.flag("persist_debian", test: ShellQuote.command(["[", "-d", "/etc/iptables", "]"])),
        ] + savedFiles.map { key, path in HostProbe.flag(key, test: holdsLiveInputRules(path)) }
    }

    /// The files the rules may be saved to, with the probe key that says whether the file
    /// holds every live INPUT rule.
    static let savedFiles = [("saved_sysconfig_in_sync", "/etc/sysconfig/iptables"), ("saved_debian_in_sync", "/etc/iptables/rules.v4")]

    /// A shell test: `path` exists and has every live INPUT rule as a line (both come from
    /// iptables-save, so they are spelled alike once crucible has saved). One `grep -f` with
    /// the file's lines as whole-line patterns finds a live rule the file lacks: three
    /// processes however many rules there are (a grep per rule cost the host one each).
    static func holdsLiveInputRules(_ path: String) -> String {
        let file = ShellQuote.quote(path)
        return "{ [ -f \(file) ] && ! iptables-save -t filter | grep '^-A INPUT ' | grep -qvxF -f \(file); }"
    }

    /// Where this way of saving writes the rules; nil when they are not saved.
    public var savedPath: String? {
        switch self {
        case .serviceSave, .initScript: return "/etc/sysconfig/iptables"
        case .file(let path): return path
        case .none: return nil
        }
    }

    /// Whether the probe found the saved file holding every live INPUT rule (true when the
    /// rules are not saved anywhere: there is nothing to catch up).
    func savedFileInSync(_ probe: [String: String]) -> Bool {
        guard let path = savedPath, let key = Self.savedFiles.first(where: { $0.1 == path })?.0 else { return true }
        return probe[key] != "no"
    }

    static func choose(facts: HostFacts, probe: [String: String]) -> IptablesPersistence {
        if facts.initSystem == .sysv { return .serviceSave }
        if probe["persist_initscript"] == "yes" { return .initScript }
        if probe["persist_sysconfig"] == "yes" { return .file("/etc/sysconfig/iptables") }
        if probe["persist_debian"] == "yes" { return .file("/etc/iptables/rules.v4") }
        return .none
    }

    /// The command that saves the live rules, nil when they cannot be saved; with `backup`,
    /// the saved file's previous version is kept as `FILE.crucible~`.
    public func command(backup: Bool) -> String? {
        let backupPath = savedPath.map { $0 + WriteOptions.defaultBackupSuffix }
        switch self {
        case .serviceSave, .initScript:
            let words = self == .serviceSave ? ["service", "iptables", "save"] : [Self.initScriptPath, "save"]
            guard backup, let path = savedPath, let backupPath else { return ShellQuote.command(words) }
            return AtomicWrite.keepingBackup(of: path, as: backupPath, running: words)
        case .file(let path):
            return AtomicWrite.savingOutput(of: ["iptables-save"], to: path, backup: backup ? backupPath : nil)
        case .none:
            return nil
        }
    }

    /// The command that saves the live rules, without a backup.
    public var command: String? { command(backup: false) }

    /// How the result record names the choice.
    public var label: String {
        switch self {
        case .serviceSave: return "service iptables save"
        case .initScript: return "\(Self.initScriptPath) save"
        case .file(let path): return path
        case .none: return ""
        }
    }
}
