# The start of every script that writes files (AtomicWrite.script, ApplyBatch): traps that
# remove a half-made temp file, whether SELinux labels need keeping, and the directory and
# umask to go back to after each write.
# shellcheck disable=SC2034 # selinux, crucible_home and crucible_umask are read by atomic-write.sh, which always follows
pending=
trap '[ -z "$pending" ] || rm -f -- $pending' EXIT
trap 'exit 1' HUP INT TERM PIPE
selinux=
if [ -e /sys/fs/selinux/enforce ] || [ -e /selinux/enforce ]; then selinux=1; fi
crucible_home=$PWD crucible_umask=$(umask)

