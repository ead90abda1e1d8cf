"""The work of recipes/live-migration.crucible as a pyinfra deploy (pyinfra's own operations
where it has one; `server.shell` with a fact check where it has none). benchmarks/RESULTS.md
lists every difference. Inventory groups (written by benchmarks/inventories.py): controller
(one host) and computes.
"""
import io
import re

from pyinfra import host, inventory
from pyinfra.facts.server import Command, LinuxDistribution, Which
from pyinfra.operations import files, iptables, selinux, server, systemd
from pyinfra.operations.util import any_changed

INSTANCES_PATH = "/var/lib/nova/instances"
NFS_DOMAIN = "localdomain"
EXPORT_LINE = f"{INSTANCES_PATH} *(rw,sync,fsid=0,no_root_squash)"
NFS_PORTS = {"LOCKD_TCPPORT": 32803, "LOCKD_UDPPORT": 32769, "MOUNTD_PORT": 892,
             "RQUOTAD_PORT": 875, "STATD_PORT": 662, "STATD_OUTGOING_PORT": 2020}
LIBVIRTD_PORT = 16509
MIGRATION_PORTS = "49152:49261"
NOVA_UID = 162
CONTEXT = 'context="system_u:object_r:nova_var_lib_t:s0"'

controller = inventory.get_group("controller")[0]
nodes = [controller] + list(inventory.get_group("computes", []))
is_controller = host.name == controller.name

# Facts the recipe's facts() gives crucible: distribution, init system, SELinux mode.
major = int(host.get_fact(LinuxDistribution).get("major") or 7)
is_systemd = bool(host.get_fact(Which, command="systemctl"))
nfs_version = 3 if major == 6 else 4
nfs_server_service = "nfs" if major == 6 else "nfs-server"
idmap_service = "rpcidmapd" if major == 6 else "nfs-idmapd"


def set_key(path, key, line, **kwargs):
    """One `KEY=...` line. files.line has no insert-after and no ini sections: it replaces the
    matching line in place, else appends at the end of the file. Matching the stock file's
    commented-out key too (`#KEY=...`) keeps the setting in its section, where there is one."""
    return files.line(name=f"{path}: {key}", path=path, line=f"^#\\?{re.escape(key)}[[:space:]]*=.*$",
                      replace=line, **kwargs)


def accept(proto, port):
    """INPUT ACCEPT for a port, inserted at the top of the chain (before the final REJECT)."""
    return iptables.rule(name=f"accept {proto} {port}", chain="INPUT", jump="ACCEPT",
                         protocol=proto, destination_port=port, extras="-m state --state NEW",
                         append=False)


# --- Every node: host names -------------------------------------------------------------
entries = [files.line(name=f"/etc/hosts: {node.name}", path="/etc/hosts",
                      line=f"^{re.escape(node.data.ssh_hostname)}[[:space:]].*$",
                      replace=f"{node.data.ssh_hostname} {node.name}")
           for node in nodes]
selinux_mode = host.get_fact(Command, command="getenforce")
if selinux_mode != "Disabled":
    server.shell(name="restorecon /etc/hosts", commands=["restorecon /etc/hosts"],
                 _if=any_changed(*entries))

# --- The controller: the NFS server -------------------------------------------------------
if is_controller:
    nfs_conf = [set_key("/etc/sysconfig/nfs", key, f"{key}={value}") for key, value in NFS_PORTS.items()]
    files.directory(name="instances directory", path=INSTANCES_PATH, user="nova", group="nova",
                    mode="0755")
    exports = files.line(name="/etc/exports", path="/etc/exports",
                         line=f"^{re.escape(INSTANCES_PATH)}[[:space:]].*$", replace=EXPORT_LINE)
    for service in ["rpcbind", nfs_server_service] + (["nfslock"] if major == 6 else []):
        server.service(name=f"{service} running and enabled", service=service, running=True, enabled=True)
    server.service(name=f"restart {nfs_server_service}", service=nfs_server_service, restarted=True,
                   _if=any_changed(*nfs_conf))
    server.shell(name="exportfs -r", commands=["exportfs -r"], _if=exports.did_change)
    nfs_rules = [accept(proto, port) for proto in ("tcp", "udp") for port in (111, 662, 875, 892, 2049)]
    nfs_rules += [accept("tcp", 32803), accept("udp", 32769)]
    server.shell(name="save iptables", commands=["service iptables save"], _if=any_changed(*nfs_rules))

# --- Every compute node (the controller included) ----------------------------------------
idmap = set_key("/etc/idmapd.conf", "Domain", f"Domain = {NFS_DOMAIN}")
server.service(name=f"restart {idmap_service}", service=idmap_service, restarted=True,
               _if=idmap.did_change)

server_address = controller.data.ssh_hostname
if nfs_version == 4:
    source, fstype, options = f"{server_address}:/", "nfs4", f"defaults,_netdev,{CONTEXT}"
else:
    source, fstype, options = f"{server_address}:{INSTANCES_PATH}", "nfs", f"defaults,_netdev,nfsvers=3,{CONTEXT}"
files.line(name="/etc/fstab", path="/etc/fstab", line=f"^[^#[:space:]]+[[:space:]]+{re.escape(INSTANCES_PATH)}[[:space:]].*$",
           replace=f"{source} {INSTANCES_PATH} {fstype} {options} 0 0")
# server.mount reads /proc/self/mountinfo, which cannot see the sandbox's recorded NFS
# mounts: ask `mount` like the recipe does.
mount_table = host.get_fact(Command, command="mount") or ""
if f" on {INSTANCES_PATH} " not in mount_table:
    files.directory(name="mount point", path=INSTANCES_PATH)
    server.shell(name="mount the share",
                 commands=[f"mount -t {fstype} -o '{options}' {source} {INSTANCES_PATH}"])

selinux.boolean(name="virt_use_nfs", bool_name="virt_use_nfs", value="on", persistent=True)

libvirtd = [set_key("/etc/libvirt/libvirtd.conf", key, f"{key} = {value}")
            for key, value in (("listen_tls", "0"), ("listen_tcp", "1"), ("auth_tcp", '"none"'))]
libvirtd.append(set_key("/etc/sysconfig/libvirtd", "LIBVIRTD_ARGS", 'LIBVIRTD_ARGS="--listen"'))
server.service(name="restart libvirtd", service="libvirtd", restarted=True, _if=any_changed(*libvirtd))

nova = [set_key("/etc/nova/nova.conf", "instances_path", f"instances_path={INSTANCES_PATH}"),
        set_key("/etc/nova/nova.conf", "vncserver_listen", "vncserver_listen=0.0.0.0"),
        set_key("/etc/nova/nova.conf", "live_migration_flag",
                "live_migration_flag=VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE")]
if is_systemd:
    dropin_dir = "/etc/systemd/system/openstack-nova-compute.service.d"
    files.directory(name="drop-in folder", path=dropin_dir)
    dropin = files.put(name="nova-compute drop-in",
                       src=io.StringIO(f"[Unit]\nRequiresMountsFor={INSTANCES_PATH}\n"),
                       dest=f"{dropin_dir}/crucible.conf")
    systemd.daemon_reload(name="daemon-reload", _if=dropin.did_change)
    nova.append(dropin)
server.service(name="restart nova-compute", service="openstack-nova-compute", restarted=True,
               _if=any_changed(*nova))

compute_rules = [accept("tcp", LIBVIRTD_PORT), accept("tcp", MIGRATION_PORTS)]
server.shell(name="save iptables", commands=["service iptables save"], _if=any_changed(*compute_rules))

nova_uid = host.get_fact(Command, command="id -u nova 2>/dev/null || true")
if not nova_uid:
    print(f"[{host.name}] warning: no nova user on this host")
elif int(nova_uid) != NOVA_UID:
    print(f"[{host.name}] warning: nova has uid {nova_uid} here, expected {NOVA_UID}")
