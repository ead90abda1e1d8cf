import Foundation
import Interpreter

/// `mount`: make sure a mount point exists and is mounted now, so no reboot is needed
/// after the recipe wrote /etc/fstab. Reads the directory and `mount`'s table in one exec;
/// mounts only when nothing is mounted there. With `source` given, it mounts exactly that
/// (`mount -t TYPE -o OPTS SRC MP`); without, it lets `mount MP` take the fstab entry.
enum Mount {
    static let mountpoint = Param.string("mountpoint", positional: true, rule: .singleLine, doc: "The directory to mount on.")
    static let source = Param.nonEmptyString("source", doc: "What to mount (`ctl:/`); left out: the fstab entry of the mount point is used.")
    static let fstype = Param.nonEmptyString("fstype", doc: "`-t` type (`nfs4`, `nfs`), with `source`.")
    static let options = Param.nonEmptyString("options", doc: "`-o` options, with `source`.")
    static let now = Param.bool("now", default: true, doc: "false: only create the mount point, mount nothing.")

    static let spec = OpSpec(
        name: "mount",
        summary: "Create a mount point and mount it now unless it is mounted already.",
        params: [mountpoint.spec, source.spec, fstype.spec, options.spec, now.spec],
        examples: [
            #"mount "/var/lib/nova/instances""#,
            #"mount "/var/lib/nova/instances" source: "ctl:/" fstype: "nfs4" options: "defaults,_netdev""#,
        ],
        resultFields: [
            FieldSpec("mounted_from", .string, doc: "What was mounted there before this call, empty when nothing was"),
        ],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { CommandEffect.metadata(of: $0[mountpoint]).union(.changes(.mounts)) }

    struct Request: Sendable {
        var mountPoint: String
        var source: String?
        var fstype: String?
        var options: String?
        var now: Bool
    }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let request = Request(mountPoint: MountTable.normalized(arguments[Self.mountpoint]),
                              source: arguments[Self.source], fstype: arguments[Self.fstype],
                              options: arguments[Self.options], now: arguments[Self.now])
        guard request.mountPoint.hasPrefix("/") else {
            throw OpError("the mount point must be an absolute path, got `\(request.mountPoint)`")
        }
        let probe = HostProbe.flag("dir", test: ShellQuote.command(["[", "-d", request.mountPoint, "]"]))
            + "; echo '#mounts'; mount"
        let output = try await HostProbe.output(Probe(probe, reads: [.mounts, .path(request.mountPoint)]), on: context, what: "the mount table")
        let parts = HostProbe.split(output, at: "#mounts\n") ?? (output, "")
        let directoryExists = HostProbe.fields(parts.before)["dir"] == "yes"
        return try plan(request, directoryExists: directoryExists, table: MountTable.parse(parts.after))
    }

    /// The decision from what the probe read: tests call it with canned tables.
    static func plan(_ request: Request, directoryExists: Bool, table: MountTable) throws -> OpPlan {
        var actions: [PlannedAction] = []
        if !directoryExists {
            actions.append(.run(command: ShellQuote.command(["mkdir", "-p", "--", request.mountPoint]),
                                summary: "create mount point \(request.mountPoint)"))
        }
        let current = table.entry(at: request.mountPoint)
        if let current, let source = request.source, current.source != source {
            throw OpError("\(request.mountPoint) is mounted from \(current.source), not \(source)",
                          hint: "unmount it first; crucible does not replace a mount that is in use")
        }
        if request.now && current == nil {
            actions.append(.run(command: mountCommand(request), summary: "mount \(request.mountPoint)"))
        }
        guard !actions.isEmpty else {
            let reason = current.map { "\(request.mountPoint) is mounted from \($0.source)" }
                ?? "\(request.mountPoint) exists; not mounting it (now: false)"
            return .noChange(reason, details: ["mounted_from": .string(current?.source ?? "")])
        }
        return OpPlan(actions: actions, details: ["mounted_from": .string(current?.source ?? "")],
                      effect: CommandEffect.metadata(of: request.mountPoint).union(.changes(.mounts)))
    }

    static func mountCommand(_ request: Request) -> String {
        guard let source = request.source else { return ShellQuote.command(["mount", "--", request.mountPoint]) }
        var words = ["mount"]
        if let fstype = request.fstype { words += ["-t", fstype] }
        if let options = request.options { words += ["-o", options] }
        return ShellQuote.command(words + ["--", source, request.mountPoint])
    }
}
