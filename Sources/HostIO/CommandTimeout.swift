/// A time limit for one command on a host (`run ... timeout: N`, `probe ... timeout: N`,
/// `--command-timeout N`), enforced ON THE HOST: closing the channel would leave a
/// `sleep 1000; echo x` running there, so the command runs in a process group of its own and
/// the whole group is stopped when the time is up.
///
/// Hosts have POSIX sh and coreutils only. coreutils `timeout` (7.0 and later, so RHEL 6's
/// 8.4 too) starts the command in a new process group and, on expiry, sends the signal to
/// that group, then waits for the command. `--kill-after` came only in coreutils 8.5, so the
/// KILL that follows a TERM the command ignores is sent by a watchdog subshell here: it
/// sleeps the limit plus `grace` seconds and kills the group (whose id is `timeout`'s pid).
///
/// The command text never reaches an argv of its own: it goes to the group's shell on a
/// pipe, so a command holding a secret (`SecretMask`) can be timed and stay out of `ps`.
/// A command that ran out of time makes the wrapper print `marker` on stderr and return
/// 124; one whose own status is 124 (a `timeout` of its own) before the limit is not
/// mistaken for it (the wrapper compares the host's uptime).
public enum CommandTimeout {
    /// Seconds between the TERM and the KILL to the command's process group.
    public static let grace = 5

    /// The longest limit accepted: a week (a typo of a few zeros is an error, not a hang).
    public static let maximum = 7 * 24 * 3600

    /// Starts every message the wrapper prints when it stopped a command.
    static let marker = "crucible: timed out after "

    /// `crucible_timed SECONDS COMMAND`: runs COMMAND with `/bin/sh`, stdin /dev/null, in a
    /// process group of its own, and stops the group after SECONDS (TERM, KILL `grace`
    /// seconds later). The background pipeline gets its stdin from the pipe (a background
    /// command of a non-interactive shell would otherwise read /dev/null, which is what
    /// the command gets anyway). `wait` on the watchdog tells whether it had to KILL (3).
    public static let function = HostScripts.commandTimeout
        .replacingOccurrences(of: "GRACE", with: String(grace)).replacingOccurrences(of: "MARKER", with: marker)

    /// The command for `Transport.run` that runs `command` under the limit, and its stdin:
    /// a `hidden` command (one holding a secret) is read from stdin, never put in an argv.
    public static func wrap(_ command: String, seconds: Int, hidden: Bool) -> (command: String, stdin: [UInt8]?) {
        if hidden {
            return (ShellQuote.command(["/bin/sh", "-c", function + #"c=$(cat); crucible_timed "$1" "$c""#,
                                        "crucible-timed", String(seconds)]), Array(command.utf8))
        }
        return (ShellQuote.command(["/bin/sh", "-c", function + #"crucible_timed "$1" "$2""#,
                                    "crucible-timed", String(seconds), command]), nil)
    }

    /// Whether a command's stderr says the wrapper stopped it.
    public static func timedOut(_ stderr: String) -> Bool {
        stderr.contains(marker)
    }

    /// How long the client waits for a command limited to `seconds` before it gives up on
    /// the host: the limit, the grace before KILL, and room for a slow link. Only a host
    /// where even KILL cannot end the command (a process stuck in the kernel on a dead NFS
    /// server) gets there.
    public static func backstop(_ seconds: Int) -> Double {
        Double(seconds + grace + 30)
    }

    /// The op's failure when its command ran out of time: what happened, and what to do.
    public static func failure(_ summary: String, seconds: Int?) -> String {
        let limit = seconds.map { "its timeout of \($0) s" } ?? "its timeout"
        return "\(summary) did not finish within \(limit): crucible stopped it and every process it started on the host "
            + "(TERM, then KILL after \(grace) s); if it needs longer, raise the op's `timeout:` (or --command-timeout), "
            + "otherwise find out why it hangs"
    }

    /// The seconds of a limit from the wrapper's message in stderr, if it is there.
    package static func seconds(in stderr: String) -> Int? {
        guard let start = stderr.range(of: marker) else { return nil }
        return Int(stderr[start.upperBound...].prefix { $0.isNumber })
    }

    /// What is wrong with a limit, or nil when it is one.
    public static func problem(_ seconds: Int) -> String? {
        if seconds < 1 { return "a timeout of \(seconds) s would stop the command before it starts" }
        if seconds > maximum { return "a timeout of \(seconds) s is more than a week" }
        return nil
    }
}
