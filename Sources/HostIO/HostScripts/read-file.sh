# Reads one file (AtomicWrite.readCommand): exit 3 when it does not exist, 4 when it is not
# a regular file (a FIFO would hang the read, a device could be endless).
if [ -f "$1" ]; then exec cat -- "$1"; fi
if [ -e "$1" ] || [ -L "$1" ]; then echo "$1 is not a regular file" >&2; exit 4; fi
exit 3
