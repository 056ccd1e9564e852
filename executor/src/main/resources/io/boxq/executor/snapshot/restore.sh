# Unpacks a tar stream into the workspace ($1), modes as archived (-p: not masked by the umask).
# Docker never closes an exec's stdin, and BusyBox tar reads to the end of its input, so the stream
# comes in frames: a line with a count of 512-byte blocks, then those blocks; a count of 0 ends it.
# dd reads exactly the blocks of one frame (fullblock), so tar sees its input end.
cd "$1" || exit 70
while read n && [ "$n" -gt 0 ]; do
  dd bs=512 count="$n" iflag=fullblock 2>/dev/null || exit 75
done | tar -x -p -f -
