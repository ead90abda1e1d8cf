/// Why a sandbox could not be started, used or stopped. Tests let it propagate: a test that needs
/// a sandbox fails with this message, it is never skipped.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    /// This machine cannot run sandboxes (not root, or a tool is missing).
    case unavailable(String)
    /// `scripts/sandbox ARGS` exited with a failure; `output` is what it printed.
    case script(arguments: [String], status: Int32, output: String)
    /// hosts.json could not be read or decoded.
    case manifest(path: String, reason: String)
    case noSuchHost(String, known: [String])

    public var description: String {
        switch self {
        case .unavailable(let reason):
            return "the sandbox cannot run on this machine: \(reason)"
        case .script(let arguments, let status, let output):
            return "scripts/sandbox \(arguments.joined(separator: " ")) failed (exit \(status)): \(output)"
        case .manifest(let path, let reason):
            return "cannot read the sandbox description \(path): \(reason)"
        case .noSuchHost(let name, let known):
            return "the sandbox has no host '\(name)' (hosts: \(known.joined(separator: ", ")))"
        }
    }
}
