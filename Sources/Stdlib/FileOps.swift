import Interpreter

/// Ops that edit files: ensure-line, edit-ini, file, directory, hosts-entry, fstab, authorized-key...
public enum FileOps {
    public static var all: [OpSpec] { [] }
}
