# Prints the file $BOXQ_PATH, refusing to leave the workspace ($BOXQ_WORKSPACE) through symlinks.
# Exit (io.boxq.core.job.FileExit, filled in by ScriptedOps): 0 read, @NOT_FOUND@ no such file,
# @OUTSIDE@ leaves the workspace or is a symlink, @DIRECTORY@ is a directory.
p=$BOXQ_PATH
[ -L "$p" ] && { echo "the path is a symlink" >&2; exit @OUTSIDE@; }
real=$(cd -- "${p%/*}" 2>/dev/null && pwd -P) || { echo "no such file" >&2; exit @NOT_FOUND@; }
case "$real/" in "$BOXQ_WORKSPACE"/*) ;; *) echo "the path leaves the workspace" >&2; exit @OUTSIDE@ ;; esac
[ -d "$p" ] && { echo "the path is a directory" >&2; exit @DIRECTORY@; }
[ -f "$p" ] || { echo "no such file" >&2; exit @NOT_FOUND@; }
exec cat -- "$p"
