import Interpreter

/// Ops that edit files: each plans from the file's current bytes and writes only when the
/// result differs, so running a recipe twice changes nothing the second time. Each op lives
/// in FileOps/ with its declaration (parameters, docs, examples) next to its plan.
public enum FileOps {
    public static var all: [OpSpec] {
        [
            EnsureLine.spec,
            EditIni.spec,
            HostsEntry.spec,
            HostsEntries.spec,
            FstabOp.spec,
            FileOp.spec,
            DirectoryOp.spec,
            SystemdDropin.spec,
            AuthorizedKey.spec,
        ]
    }
}
