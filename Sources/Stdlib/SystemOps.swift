import Interpreter

/// Ops that drive the system: run, service, open-port, selinux-boolean, mount, detect-nfs...
public enum SystemOps {
    public static var all: [OpSpec] { [] }
}
