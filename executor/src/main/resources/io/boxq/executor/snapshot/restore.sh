# Unpacks the tar stream on stdin into the workspace ($1), modes as archived (-p: not masked by
# the umask). tar stops at the end-of-archive blocks: Docker never closes an exec's stdin.
cd "$1" || exit 70
exec tar -x -p -f -
