"""Writes the Ansible and pyinfra inventories for one sandbox (benchmarks/run calls it).

Usage: python3 inventories.py SANDBOX_DIR OUT_DIR
The first host of hosts.json is the controller, the others are the compute nodes; both tools
reach the hosts by address with the sandbox's own key and known_hosts, like crucible does
through DIR/ssh_config.
"""
import json
import os
import sys


def main(sandbox_dir, out_dir):
    with open(os.path.join(sandbox_dir, "hosts.json")) as f:
        sandbox = json.load(f)
    hosts = sandbox["hosts"]
    os.makedirs(out_dir, exist_ok=True)
    write_ansible(sandbox, hosts, out_dir)
    write_pyinfra(sandbox, hosts, out_dir)


def write_ansible(sandbox, hosts, out_dir):
    ssh_args = (f"-o UserKnownHostsFile={sandbox['known_hosts']} -o StrictHostKeyChecking=yes "
                "-o IdentitiesOnly=yes")
    lines = ["[controller]", line_for(hosts[0]), "", "[computes]"]
    lines += [line_for(h) for h in hosts[1:]]
    lines += ["", "[nodes:children]", "controller", "computes", "", "[all:vars]",
              "ansible_user=root",
              f"ansible_ssh_private_key_file={sandbox['identity']}",
              f"ansible_ssh_common_args='{ssh_args}'",
              # The sandbox hosts share this machine's /usr, so its python3 is there.
              "ansible_python_interpreter=/usr/bin/python3", ""]
    with open(os.path.join(out_dir, "inventory.ini"), "w") as f:
        f.write("\n".join(lines))


def line_for(host):
    return f"{host['name']} ansible_host={host['address']} ansible_port={host['port']}"


def write_pyinfra(sandbox, hosts, out_dir):
    def entry(host):
        data = {"ssh_hostname": host["address"], "ssh_port": host["port"], "ssh_user": "root",
                "ssh_key": sandbox["identity"], "ssh_known_hosts_file": sandbox["known_hosts"],
                "ssh_strict_host_key_checking": "yes"}
        return (host["name"], data)
    text = ("# Written by benchmarks/inventories.py\n"
            f"controller = {[entry(hosts[0])]!r}\n"
            f"computes = {[entry(h) for h in hosts[1:]]!r}\n")
    with open(os.path.join(out_dir, "pyinfra_inventory.py"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
