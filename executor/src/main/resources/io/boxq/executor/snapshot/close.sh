# Sets the real modes of what a restore opened up: "<octal mode> <path>" lines in $BOXQ_MODES,
# innermost first, relative to the workspace ($1).
cd "$1" || exit 70
printf '%s\n' "$BOXQ_MODES" | while IFS= read -r line; do
  [ -n "$line" ] && chmod "${line%% *}" "${line#* }"
done
exit 0
