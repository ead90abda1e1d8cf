# Prints the host's facts as key=value lines (HostFacts.swift). UNITS is replaced by the
# systemd units HostFacts looks for before the script is used.
if [ -r /etc/os-release ]; then
  seen=
  while IFS='=' read -r k v || [ -n "$k" ]; do
    case " $seen " in *" $k "*) continue ;; esac
    case $k in
      ID) n=os_id ;; ID_LIKE) n=os_like ;; VERSION_ID) n=os_version ;; PRETTY_NAME) n=os_pretty ;;
      *) continue ;;
    esac
    seen="$seen $k"
    v=${v#[\"\']}; v=${v%[\"\']}
    printf '%s=%s\n' "$n" "$v"
  done < /etc/os-release
fi
if [ -r /etc/redhat-release ]; then read -r l < /etc/redhat-release || true; echo "redhat_release=$l"; fi
if [ -r /etc/debian_version ]; then read -r l < /etc/debian_version || true; echo "debian_version=$l"; fi
if [ -d /run/systemd/system ]; then echo "init=systemd"; else echo "init=sysv"; fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo "firewalld=$(systemctl is-active firewalld 2>/dev/null)"
elif command -v firewall-cmd >/dev/null 2>&1; then
  echo "firewalld=$(firewall-cmd --state 2>/dev/null)"
fi
if command -v iptables >/dev/null 2>&1 || [ -x /sbin/iptables ] || [ -x /usr/sbin/iptables ]; then echo "iptables=yes"; fi
if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce 2>/dev/null)"
elif [ -r /sys/fs/selinux/enforce ]; then read -r e < /sys/fs/selinux/enforce; echo "selinux_enforce=$e"; fi
if [ -r /proc/sys/kernel/hostname ]; then read -r h < /proc/sys/kernel/hostname; else h=$(uname -n); fi
echo "hostname=$h"
echo "fqdn=$(hostname -f 2>/dev/null || echo "$h")"
echo "connection=${SSH_CONNECTION:-}"
getent passwd nova qemu 2>/dev/null | while IFS=: read -r n _ u g _; do echo "user_$n=$u:$g"; done
if [ -d /run/systemd/system ]; then
  # shellcheck disable=SC2043 # UNITS becomes the list of unit names: the loop runs once per unit
  for u in UNITS; do
    f=/usr/lib/systemd/system/$u.service
    if [ -f "$f" ] && [ ! -L "$f" ]; then echo "unit=$u"; fi
  done
fi
