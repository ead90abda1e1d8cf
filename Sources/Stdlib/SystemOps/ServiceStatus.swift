import Interpreter

/// Whether a service runs and starts at boot, read with one exec from systemd
/// (`systemctl is-active` / `is-enabled`) or SysV init (`service NAME status`,
/// `chkconfig --list NAME`).
struct ServiceStatus: Sendable, Equatable {
    var running: Bool
    /// nil when the init system cannot enable or disable it (a `static` systemd unit).
    var enabled: Bool?

    /// The status probe: it reads the service's status.
    static func probe(_ name: String, initSystem: HostFacts.InitSystem) -> Probe {
        Probe(probeCommand(name, initSystem: initSystem), reads: [.service(name)])
    }

    static func probeCommand(_ name: String, initSystem: HostFacts.InitSystem) -> String {
        switch initSystem {
        case .systemd:
            return Shell.sequence([
                HostProbe.field("active", ShellQuote.command(["systemctl", "is-active", "--", name])),
                HostProbe.field("enabled", ShellQuote.command(["systemctl", "is-enabled", "--", name])),
            ])
        case .sysv:
            return Shell.sequence([ShellQuote.command(["service", name, "status"]) + " >/dev/null 2>&1", "echo status=$?",
                                   HostProbe.field("chkconfig", ShellQuote.command(["chkconfig", "--list", name]))])
        }
    }

    /// What `probe` prints for this status: `parse` reads it back as this status.
    func probeOutput(name: String, initSystem: HostFacts.InitSystem) -> String {
        switch initSystem {
        case .systemd:
            let enabledWord: String
            switch enabled {
            case true?: enabledWord = "enabled"
            case false?: enabledWord = "disabled"
            case nil: enabledWord = "static"
            }
            return "active=\(running ? "active" : "inactive")\nenabled=\(enabledWord)\n"
        case .sysv:
            let levels = (0...6).map { "\($0):\(enabled == true && (2...5).contains($0) ? "on" : "off")" }
            return "status=\(running ? 0 : 3)\nchkconfig=\(name)\t\(levels.joined(separator: "\t"))\n"
        }
    }

    static func parse(_ output: String, initSystem: HostFacts.InitSystem) -> ServiceStatus {
        let fields = HostProbe.fields(output)
        switch initSystem {
        case .systemd:
            let active = fields["active"] ?? ""
            let enabled = fields["enabled"] ?? ""
            return ServiceStatus(running: ["active", "activating", "reloading"].contains(active),
                                 enabled: systemdEnabled(enabled))
        case .sysv:
            return ServiceStatus(running: fields["status"] == "0",
                                 enabled: chkconfigEnabled(fields["chkconfig"] ?? ""))
        }
    }

    /// `enabled`, `disabled`, or (for `static`, `indirect`, `generated` units, which have no
    /// [Install] section to act on) nil.
    private static func systemdEnabled(_ state: String) -> Bool? {
        switch state {
        case "enabled", "enabled-runtime", "linked", "linked-runtime", "alias": return true
        case "static", "indirect", "generated", "transient": return nil
        default: return false
        }
    }

    /// `nfs  0:off 1:off 2:on 3:on 4:on 5:on 6:off`: enabled when on in any multi-user
    /// runlevel (2 to 5), which is what `chkconfig NAME on` sets.
    static func chkconfigEnabled(_ line: String) -> Bool {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains { word in
            ["2:on", "3:on", "4:on", "5:on"].contains(String(word))
        }
    }
}
