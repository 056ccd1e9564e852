# Writes stdin to $BOXQ_PATH, refusing to leave the workspace ($BOXQ_WORKSPACE) through symlinks.
# Exit (io.boxq.core.job.FileExit, filled in by ScriptedOps): 0 written, @NOT_FOUND@ no such directory,
# @OUTSIDE@ leaves the workspace or is a symlink, @DIRECTORY@ is a directory.
p=$BOXQ_PATH
d=${p%/*}
mkdir -p -- "$d" 2>/dev/null
real=$(cd -- "$d" 2>/dev/null && pwd -P) || { echo "no such directory" >&2; exit @NOT_FOUND@; }
case "$real/" in "$BOXQ_WORKSPACE"/*) ;; *) echo "the path leaves the workspace" >&2; exit @OUTSIDE@ ;; esac
[ -L "$p" ] && { echo "the path is a symlink" >&2; exit @OUTSIDE@; }
[ -d "$p" ] && { echo "the path is a directory" >&2; exit @DIRECTORY@; }
cat > "$p"
