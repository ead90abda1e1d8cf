import HostIO

/// Privilege escalation: the command runs as root through `sudo -n sh -c`. `-n` makes
/// sudo fail at once instead of waiting for a password prompt no one will answer.
public enum BecomeCommand {
    public static func wrap(_ command: String) -> String {
        ShellQuote.command(["sudo", "-n", "sh", "-c", command])
    }
}

extension BecomeCommand {
    /// Why sudo itself refused (rather than the command failing), phrased for the user, or
    /// nil. Such a failure would repeat for every command, so the host fails with it.
    static func refusal(status: Int32, stderr: [UInt8], user: String) -> String? {
        let text = String(decoding: stderr, as: UTF8.self)
        if status == 127 && (text.contains("sudo: not found") || text.contains("sudo: command not found")) {
            return "--become needs sudo, which is not installed for \(user) (or not in PATH)"
        }
        if status == 1 && (text.contains("sudo: a password is required") || text.contains("sudo: a terminal is required")) {
            return "--become: sudo asks \(user) for a password; allow it without one (\(user) ALL=(ALL) NOPASSWD: ALL) or log in as root"
        }
        if status == 1 && text.contains("is not in the sudoers file") {
            return "--become: \(user) may not use sudo (not in the sudoers file)"
        }
        return nil
    }
}
