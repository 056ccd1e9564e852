# Writes stdin to $BOXQ_PATH, refusing to leave the workspace ($BOXQ_WORKSPACE) through symlinks.
# Exit: 0 written, 2 no such directory, 3 leaves the workspace or is a symlink, 4 is a directory.
p=$BOXQ_PATH
d=${p%/*}
mkdir -p -- "$d" 2>/dev/null
real=$(cd -- "$d" 2>/dev/null && pwd -P) || { echo "no such directory" >&2; exit 2; }
case "$real/" in "$BOXQ_WORKSPACE"/*) ;; *) echo "the path leaves the workspace" >&2; exit 3 ;; esac
[ -L "$p" ] && { echo "the path is a symlink" >&2; exit 3; }
[ -d "$p" ] && { echo "the path is a directory" >&2; exit 4; }
cat > "$p"
