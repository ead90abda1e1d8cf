import Interpreter

/// Privilege escalation: the command runs as root through `sudo -n sh -c`. `-n` makes
/// sudo fail at once instead of waiting for a password prompt no one will answer.
public enum BecomeCommand {
    public static func wrap(_ command: String) -> String {
        ShellQuote.command(["sudo", "-n", "sh", "-c", command])
    }
}
