import Interpreter

/// Ops that drive the system: run, service, open-port, selinux-boolean, mount, detect-nfs...
/// Each is declared in its own file under SystemOps/; this list is their order in
/// `crucible-sh ops`.
public enum SystemOps {
    public static var all: [OpSpec] {
        [
            RunCommand.spec,
            Service.spec,
            DaemonReload.spec,
            OpenPort.spec,
            SELinuxBoolean.spec,
            Restorecon.spec,
            Mount.spec,
            Exportfs.spec,
            DetectNFS.spec,
            FactsQuery.spec,
            NovaIDs.spec,
            ProbeCommand.spec,
            MountInfo.spec,
        ]
    }
}
