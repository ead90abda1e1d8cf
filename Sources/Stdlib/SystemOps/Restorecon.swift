import Interpreter

/// `restorecon`: reset a file's SELinux label to the policy's default. Whether a label is
/// already right cannot be read cheaply (it needs `matchpathcon` per file), so this op
/// runs every time it is called: a recipe calls it only when it changed the file
/// (`if hosts.changed { restorecon "/etc/hosts" }`). With SELinux disabled it does nothing.
enum Restorecon {
    static let path = Param.string("path", positional: true, doc: "The file or directory.")
    static let recursive = Param.bool("recursive", default: false, doc: "Also everything below a directory (`-R`).")

    static let spec = OpSpec(
        name: "restorecon",
        summary: "Restore the default SELinux label of a path (always runs when called, unless SELinux is disabled).",
        params: [path.spec, recursive.spec],
        examples: [#"if hosts.changed { restorecon "/etc/hosts" }"#],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { _ in .nothingRead }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        guard path.hasPrefix("/") else { throw OpError("restorecon needs an absolute path, got `\(path)`") }
        let facts = try await context.facts()
        guard facts.selinux != .disabled else { return .noChange("SELinux is disabled") }
        let words = ["restorecon"] + (arguments[Self.recursive] ? ["-R"] : []) + ["--", path]
        return OpPlan(actions: [.run(command: ShellQuote.command(words), summary: "restore the SELinux label of \(path)")],
                      effect: .nothingRead)
    }
}
