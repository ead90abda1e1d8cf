import Foundation
import Interpreter

/// `selinux-boolean`: set an SELinux boolean persistently (`setsebool -P`), only when
/// `getsebool` shows another value. `getsebool` shows the running value; a boolean set
/// without `-P` by hand would look right here and still be lost at reboot (reading the
/// persistent value needs `semanage`, a Python tool too slow to run on every call).
enum SELinuxBoolean {
    static let name = Param.string("name", positional: true, rule: .commandWord, doc: "The boolean (`virt_use_nfs`).")
    static let value = Param.bool("value", positional: true, doc: "on (true) or off (false).")

    static let spec = OpSpec(
        name: "selinux-boolean",
        summary: "Set an SELinux boolean persistently (`setsebool -P`) when its value differs.",
        params: [name.spec, value.spec],
        examples: [#"selinux-boolean "virt_use_nfs" true"#],
        resultFields: [FieldSpec("was", oneOf: ["on", "off", ""], doc: "The value before this call: `on`, `off`, or empty when SELinux is disabled")],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { _ in .changes(.selinuxBooleans) }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let name = arguments[Self.name]
        guard !name.isEmpty, !name.hasPrefix("-") else { throw OpError("`\(name)` is not an SELinux boolean name") }
        let facts = try await context.facts()
        guard facts.selinux != .disabled else {
            return .noChange("SELinux is disabled", details: ["was": .string("")])
        }
        let output = try await HostProbe.output(Probe(ShellQuote.command(["getsebool", "--", name]), reads: [.selinuxBooleans]), on: context,
                                                what: "SELinux boolean \(name)")
        return try plan(name: name, value: arguments[Self.value], getsebool: output)
    }

    /// The decision from `getsebool` output (`virt_use_nfs --> off`).
    static func plan(name: String, value: Bool, getsebool: String) throws -> OpPlan {
        guard let arrow = getsebool.range(of: "-->") else {
            throw OpError("unexpected getsebool output: \(getsebool.trimmed)")
        }
        let current = String(getsebool[arrow.upperBound...]).trimmed
        let wanted = value ? "on" : "off"
        guard current != wanted else {
            return .noChange("\(name) is already \(wanted)", details: ["was": .string(current)])
        }
        return OpPlan(actions: [.run(command: ShellQuote.command(["setsebool", "-P", "--", name, wanted]),
                                     summary: "set SELinux boolean \(name) \(wanted)")],
                      details: ["was": .string(current)], effect: .changes(.selinuxBooleans))
    }
}
