# `USER`: looks the user up and checks the way to their authorized_keys with crucible_check
# (path-check.sh comes first), in one probe (AuthorizedKey.userKeyFile).
# shellcheck disable=SC2086 # `set -- $e` splits the passwd line on colons (IFS=:, globbing off) on purpose
e=$(getent passwd "$1") || exit 3
printf 'passwd=%s\n' "$e"
set -f; o=$IFS; IFS=:; set -- $e; IFS=$o
case $6 in /) h= ;; /*) h=$6 ;; *) exit 3 ;; esac
crucible_check "$h/.ssh/authorized_keys" f "$3" || exit 4
crucible_report
