import Foundation

/// What a recipe's own check command (`unless:`, `probe`) reads, as far as its words tell:
/// check mode runs such a command on the host only when nothing it planned may change what
/// the command sees (`PlannedState.guardUnknown`). Ops declare their probes' reads
/// (`Probe`); a recipe's command is free text, so its reads are read off it, once, by these
/// rules:
///
/// - a word that is an absolute path reads that path and its bytes
///   (`grep -q x /etc/exports`);
/// - any other word may name a service or a user (`systemctl is-active nfs`,
///   `getent passwd nova`);
/// - a word that is a known tool reads the state it shows (`iptables-save`: the packet
///   filter; `findmnt`: the mount table; `getent`/`id`: the account files).
///
/// Words are split at any character that is not a letter, digit or one of `/.-_@:`, so
/// `nfs` is not read in `nfs-server`, nor `/etc/sysconfig` in `/etc/sysconfig/nfs`. A
/// command that reads state by other means (a script it runs) is not seen through: declare
/// it by writing the paths or names in it, or expect check mode to answer from the host.
enum GuessedReads {
    static func of(_ command: String) -> Set<HostState> {
        var reads: Set<HostState> = []
        for word in command.split(whereSeparator: { !isWordCharacter($0) }) {
            let word = String(word)
            if word.hasPrefix("/") {
                reads.insert(.path(word))
                reads.insert(.contents(word))
            } else {
                reads.insert(.service(word))
                reads.insert(.user(word))
            }
            if let tool = tools[(word as NSString).lastPathComponent] { reads.formUnion(tool) }
        }
        return reads
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "/.-_@:".contains(character)
    }

    /// Tools whose output is a part of the state that ops change.
    private static let tools: [String: Set<HostState>] = [
        "iptables": [.packetFilter], "iptables-save": [.packetFilter],
        "ip6tables": [.packetFilter], "ip6tables-save": [.packetFilter],
        "firewall-cmd": [.firewalld, .packetFilter],
        "mount": [.mounts], "findmnt": [.mounts], "mountpoint": [.mounts], "df": [.mounts],
        "getsebool": [.selinuxBooleans], "semanage": [.selinuxBooleans],
        "exportfs": [.exports], "showmount": [.exports],
        "rpcinfo": [.services],
        "getent": [.contents("/etc/passwd"), .contents("/etc/group")],
        "id": [.contents("/etc/passwd"), .contents("/etc/group")],
    ]
}
