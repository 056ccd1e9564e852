# Writes the workspace ($1) to stdout as a tar stream, with every other process of the sandbox
# stopped meanwhile (SIGSTOP; docker-init, PID 1, is never signalled), so nothing changes a file
# while it is read. Runs as the sandbox user, which may read only what its modes allow: files it
# cannot read and directories it cannot list or enter are opened up for the copy and closed again
# after (also when the copy is cut off). Before the archive, stdout has a header of lines: the real
# modes of what was opened ("M <octal mode> <path>"), FIFOs and sockets ("S <path>"), then "B".
ws=$1
list=/tmp/.boxq-snapshot-modes.$$
cd "$ws" || exit 70
kill -STOP -1 2>/dev/null
undo() {
  if [ -f "$list" ]; then
    sed '1!G;h;$!d' "$list" | while IFS= read -r line; do chmod "${line%% *}" "${line#* }" 2>/dev/null; done
    rm -f "$list"
  fi
  kill -CONT -1 2>/dev/null
}
trap undo EXIT
trap 'exit 71' HUP INT TERM PIPE
: > "$list" || exit 72
open() { # $1: find's test for "cannot use", $2: the bits that make it usable
  while { find . $1 -print 2>/dev/null; true; } > "$list.new" && [ -s "$list.new" ]; do
    opened=0
    while IFS= read -r p; do
      [ -n "$(find "$p" -prune $1 -print 2>/dev/null)" ] || continue # a hard link to one opened already
      stat -c '%a %n' "$p" >> "$list" && chmod "$2" "$p" && opened=1
    done < "$list.new"
    [ "$opened" = 1 ] || break
  done
  rm -f "$list.new"
}
open "-type d ! -perm -500" u+rx
open "! -type d ! -type l ! -perm -400" u+r
sed 's/^/M /' "$list"
find . \( -type p -o -type s \) -print 2>/dev/null | sed 's/^/S /'
echo B
tar -c -f - . 2>/dev/null
