import Interpreter

/// `exportfs`: make the NFS server re-read /etc/exports (`exportfs -r`). The kernel's
/// export table cannot be compared with the file cheaply, so this runs every time it is
/// called: a recipe calls it only when /etc/exports changed.
enum Exportfs {
    static let spec = OpSpec(
        name: "exportfs",
        summary: "Re-export the NFS shares of /etc/exports (`exportfs -r`); call it when that file changed.",
        params: [],
        examples: [#"if exports.changed { exportfs }"#],
        body: .plan { _, _ in
            OpPlan(actions: [.run(command: ShellQuote.command(["exportfs", "-r"]), summary: "re-export NFS shares")],
                   effect: .changes(.exports))
        })
}
