/// Composing command lines that are already quoted (`ShellQuote.command`) into one line for
/// POSIX sh: the few shapes ops need, written once instead of glued by hand at each op.
public enum Shell {
    /// `a && b && c`: each runs only if the one before it succeeded.
    public static func all(_ commands: [String]) -> String { commands.joined(separator: " && ") }

    /// `a; b; c`: each runs whatever the one before it did (the lines of a combined probe).
    public static func sequence(_ commands: [String]) -> String { commands.joined(separator: "; ") }

    /// `"$(command 2>ERR)"`: what `command` prints, as one word; `stderr` is where its
    /// error output goes (`/dev/null` to drop it, `&1` to keep it with the output).
    public static func output(of command: String, stderr: String = "/dev/null") -> String {
        "\"$(\(command) 2>\(stderr))\""
    }

    /// `command || { echo MESSAGE >&2; exit 1; }`: stops the script with `message` when
    /// `command` fails.
    public static func orFail(_ command: String, _ message: String) -> String {
        command + " || { echo " + ShellQuote.quote(message) + " >&2; exit 1; }"
    }
}
