# The boxq runner: one long-lived shell per container, attached with `docker exec -i`, run as
#   /bin/sh -c "<this script>" boxq-runner WORKSPACE
# Wire format: see ShellProtocol.java. POSIX sh only (dash, busybox ash); its text is in the
# cmdline of both processes, so it must never name the container's keepalive marker literally.
#
# Two processes. The reader (a child) is the only one that reads the attached stdin: it stores
# each request's payloads in files, passes the request on through a fifo, and kills the running
# command when asked. The main shell runs one command at a time in the foreground and is the only
# one that writes to stdout, so the exec stream ends as soon as it dies.
ws=$1
case $ws in /?*) ;; *) echo "boxq-runner: bad workspace '$ws'" >&2; exit 64 ;; esac
d=/tmp/.boxq-runner.$$
nl='
'
mkdir -p -m 700 "$d" && mkfifo "$d/fifo" || exit 70
sid=$(command -v setsid) || exit 70
keep=
for f in $(grep -l 'boxq-keepaliv[e]' /proc/[0-9]*/cmdline 2>/dev/null); do
  f=${f#/proc/}; keep="$keep ${f%/cmdline}"
done
[ -n "$keep" ] || { read -r keep </proc/1/task/1/children; [ -n "$keep" ] || exit 70; }

take() { # copies exactly $1 bytes of stdin to stdout (busybox head reads ahead, dd does not)
  [ "$1" -lt 65536 ] || dd bs=65536 count=$(($1 / 65536)) iflag=fullblock || return
  [ $(($1 % 65536)) = 0 ] || dd bs=$(($1 % 65536)) count=1 iflag=fullblock
}

reader() { # request: NONCE OP LIMIT ARGS_LEN STDIN_LEN [INLINE_ARGS], then the payloads
  exec 3>"$d/fifo" >/dev/null 2>&1
  j=
  while read -r n op lim al il a; do
    case $op in
    run)
      j=$n
      [ -d "$d" ] || mkdir -p -m 700 "$d"
      printf '' >"$d/pg"; printf '' >"$d/k"
      if [ "$al" -gt 0 ]; then take "$al" >"$d/$n.a" || exit 1
      else printf '%s\n' "$a" >"$d/$n.a"; fi
      if [ "$il" -gt 0 ]; then take "$il" >"$d/$n.i" || exit 1; fi
      printf '%s run %s %s\n' "$n" "$lim" "$il" >&3 ;;
    kill)
      [ "$n" = "$j" ] || continue
      echo k >"$d/k"
      pg=; read -r pg <"$d/pg"
      [ -n "$pg" ] && kill -9 -"$pg" "$pg" ;;
    *) printf '%s %s\n' "$n" "$op" >&3 ;;
    esac
  done
}

sweep() { # deletes the files of earlier commands, keeps those of command $1
  k=$1; shift $#
  for f in "$d"/*.?; do case $f in "$d/$k".*) ;; *) set -- "$@" "$f" ;; esac; done
  [ $# = 0 ] || rm -f -- "$@"
}

run_cmd() { # $1 nonce, $2 output limit, $3 stdin length
  j=$1 lim=$2 in=/dev/null
  [ "$3" = 0 ] || in=$d/$j.i
  runs=$((runs + 1)); [ $((runs % 32)) = 0 ] && sweep "$j"
  [ -d "$d" ] || mkdir -p -m 700 "$d"
  if ! command exec 3>"$d/$j.o" 4>"$d/$j.e" 5<"$d/$j.o" 6<"$d/$j.e"; then
    printf '%s fail cannot create the output files in %s\n' "$j" "$d"; return
  fi
  ( # its pid becomes the process group of the command (setsid does not fork here)
    read -r p _ </proc/self/stat
    echo "$p" >"$d/pg"
    [ -s "$d/k" ] && exit 137
    exec <"$in" >&3 2>&4 3>&- 4>&- 5<&- 6<&-
    { echo 1000 >/proc/self/oom_score_adj; } 2>/dev/null
    . "$d/$j.a" || exit 126
    cd -- "$w" || exit 1
    exec "$sid" "$s" -c "$c"
  )
  rc=$? o=0 e=0
  exec 3>&- 4>&-
  if [ -s "/proc/$$/fd/5" ] || [ -s "/proc/$$/fd/6" ]; then
    set -- $(stat -L -c %s "/proc/$$/fd/5" "/proc/$$/fd/6")
    o=${1:-0} e=${2:-0}
  fi
  so=$o se=$e
  [ "$o" -le "$lim" ] || so=$lim
  [ "$e" -le "$lim" ] || se=$lim
  printf '%s done %s %s %s\n' "$j" "$rc" "$o" "$e"
  [ "$so" = 0 ] || head -c "$so" <&5
  [ "$se" = 0 ] || head -c "$se" <&6
  printf '%s end\n' "$j"
  exec 5<&- 6<&-
  printf '' >"$d/$j.o"; printf '' >"$d/$j.e" # frees the memory; sweep unlinks them later
}

reset_box() { # kills all but init, the keepalive and this runner; empties the workspace and /tmp
  for sig in STOP KILL KILL; do
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      case " 1 $$ $r $keep " in *" $p "*) continue ;; esac
      kill -"$sig" "$p" 2>/dev/null
    done
  done
  shift $#
  for f in "$ws"/* "$ws"/.[!.]* "$ws"/..?* /tmp/* /tmp/.[!.]* /tmp/..?* "$d"/*.?; do
    [ "$f" = "$d" ] || set -- "$@" "$f"
  done
  rm -rf -- "$@" 2>/dev/null || { chmod -R u+rwx -- "$@"; rm -rf -- "$@"; } 2>/dev/null
}

exec 9<&0
reader <&9 9<&- &
r=$!
exec <"$d/fifo" 9<&-
runs=0
while read -r n op lim il; do
  case $op in
  run) run_cmd "$n" "$lim" "$il" ;;
  reset) reset_box; printf '%s reset %s\n' "$n" "$?" ;;
  hello) printf '%s ready 1 %s\n' "$n" "$$" ;;
  *) printf '%s error unknown request\n' "$n" ;;
  esac
done
rm -rf "$d"
