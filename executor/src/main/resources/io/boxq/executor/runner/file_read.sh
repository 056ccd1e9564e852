# Prints the file $BOXQ_PATH, refusing to leave the workspace ($BOXQ_WORKSPACE) through symlinks.
# Exit: 0 read, 2 no such file, 3 leaves the workspace or is a symlink, 4 is a directory.
p=$BOXQ_PATH
[ -L "$p" ] && { echo "the path is a symlink" >&2; exit 3; }
real=$(cd -- "${p%/*}" 2>/dev/null && pwd -P) || { echo "no such file" >&2; exit 2; }
case "$real/" in "$BOXQ_WORKSPACE"/*) ;; *) echo "the path leaves the workspace" >&2; exit 3 ;; esac
[ -d "$p" ] && { echo "the path is a directory" >&2; exit 4; }
[ -f "$p" ] || { echo "no such file" >&2; exit 2; }
exec cat -- "$p"
