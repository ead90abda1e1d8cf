# `PATH`: where PATH leads when it is a symlink, nothing otherwise (FileEditing.backupLocation).
if [ -L "$1" ]; then readlink -f -- "$1"; fi
