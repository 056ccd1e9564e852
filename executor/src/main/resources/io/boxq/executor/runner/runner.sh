# The boxq runner: one long-lived shell per container, attached with `docker exec -i`, run as
#   /bin/sh -c "<this script>" boxq-runner WORKSPACE
# Wire format: see ShellProtocol.java. POSIX sh only (dash, busybox ash); its text is in the
# cmdline of both processes, so it must never name the container's keepalive marker literally.
#
# Two processes. The reader (a child) is the only one that reads the attached stdin: it stores
# payloads in files, passes requests on through a fifo, and kills the running command when asked.
# The main shell runs one command at a time in the foreground and is the only one that writes to
# stdout, so the exec stream ends as soon as it dies.
#
# Its files (fifo, payloads, the commands' output) live in /dev/shm, not /tmp: a command that
# fills or empties /tmp, or a reset.sh run, must not take the runner down with it.
ws=$1
case $ws in /?*) ;; *) echo "boxq-runner: bad workspace '$ws'" >&2; exit 64 ;; esac
# shellcheck disable=SC2034 # $nl is used by the arguments the host sends
nl='
'
d=/dev/shm/.boxq-runner.$$
mkdir -m 700 "$d" 2>/dev/null || { d=/tmp/.boxq-runner.$$; mkdir -m 700 "$d"; } || exit 70
mkfifo "$d/fifo" "$d/tick" || exit 70
sid=$(command -v setsid) || exit 70
keep=
# shellcheck disable=SC2013 # /proc paths hold no blanks
for f in $(grep -l 'boxq-keepaliv[e]' /proc/[0-9]*/cmdline 2>/dev/null); do
  f=${f#/proc/}; keep="$keep ${f%/cmdline}"
done
[ -n "$keep" ] || { read -r keep </proc/1/task/1/children; [ -n "$keep" ] || exit 70; }
# The container's CPU time so far, read before and after each command: cgroup v1 (nanoseconds) or
# v2 (usage_usec in cpu.stat, microseconds); neither readable: every run reports '-' (unknown).
cpuf= cpud=1000
for f in /sys/fs/cgroup/cpuacct/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage /sys/fs/cgroup/cpu.stat; do
  [ -r "$f" ] && { cpuf=$f; break; }
done
case $cpuf in *.stat) cpud=1 ;; esac

take() { # copies exactly $1 bytes of stdin to stdout (busybox head reads ahead, dd does not)
  [ "$1" -lt 65536 ] || dd bs=65536 count=$(($1 / 65536)) iflag=fullblock || return
  [ $(($1 % 65536)) = 0 ] || dd bs=$(($1 % 65536)) count=1 iflag=fullblock
}

store() { # takes $1 bytes of stdin into file $2; false (bytes still taken) when it is full
  take "$1" | { cat >"$2" || { cat >/dev/null; false; }; }
}

reader() { # request: NONCE OP LIMIT ARGS_LEN STDIN_LEN [INLINE_ARGS], then the payloads
  exec 3>"$d/fifo" >/dev/null 2>&1
  j='' m=0
  while read -r n op lim al il a; do
    case $op in
    run | stream) # files are named by a counter, not the nonce: a command cannot find the nonce in them
      j=$n m=$((m + 1))
      [ -d "$d" ] || mkdir -m 700 "$d"
      printf '' >"$d/pg"; printf '' >"$d/k"
      ok=true
      [ "$al" = 0 ] || { store "$al" "$d/$m.a" || ok=false; a=". '$d/$m.a'"; }
      [ "$il" = 0 ] || store "$il" "$d/$m.i" || ok=false
      if $ok; then printf '%s %s %s %s %s %s\n' "$n" "$op" "$lim" "$m" "$il" "$a" >&3; else printf '%s full\n' "$n" >&3; fi ;;
    tick) # the host's clock for the live output of a streaming run (the pump)
      [ "$n" = "$j" ] && printf 'tick %s\n' "$m" >&8 ;;
    kill)
      [ "$n" = "$j" ] || continue
      echo k >"$d/k"
      pg=; read -r pg <"$d/pg"
      [ -n "$pg" ] && kill -9 -"$pg" "$pg" ;;
    *) printf '%s %s\n' "$n" "$op" >&3 ;;
    esac
  done
}

cpu_now() { # sets $u to the container's CPU time so far in cpuf's unit, '' when unknown; builtins only
  u=
  case $cpuf in
  '') return ;;
  *.usage) { read -r u <"$cpuf"; } 2>/dev/null ;;
  *) { while read -r w u; do [ "$w" = usage_usec ] && break; u=; done <"$cpuf"; } 2>/dev/null ;;
  esac
  case $u in '' | *[!0-9]*) u= ;; esac
}

sweep() { # deletes the files of earlier commands, keeps those of command number $1
  k=$1; shift $#
  for x in "$d"/*.?; do case $x in "$d/$k".*) ;; *) set -- "$@" "$x" ;; esac; done
  [ $# = 0 ] || rm -f -- "$@"
}

part() { # $1 part (1 stdout, 2 stderr), $2 its fd, $3 its file, $4 the output limit: a frame of what is new
  [ "$3" -ot "$d/t$1" ] && return # nothing written since the last look (busybox compares whole seconds)
  : >"$d/t$1"
  p=; read -r _ p <"/proc/self/fdinfo/$2" # bytes already sent: what dd took from the fd so far
  set -- "$1" "$2" $(($4 - ${p:-$4}))
  [ "$3" -gt 0 ] || return
  if [ "$3" -ge 65536 ]; then set -- "$1" "$2" 65536 $(($3 / 65536)); else set -- "$1" "$2" "$3" 1; fi
  printf '%s part %s\n' "$j" "$1"
  dd bs="$3" count="$4" <&"$2" 2>/dev/null # a read per block: the fd moves by exactly what it sends
  printf '%s %s\n' "$j" "$1"
}

pump() { # $1 nonce, $2 output limit, $3 file number: sends what the command writes while it runs
  # Forked by main for a streaming run; reads the tick fifo (fd 8), where the reader passes on the
  # host's ticks and main writes "stop" once the command ended. Lines are handled in order, so a
  # frame is whole before main goes on (it waits for this process), and no fork waits on a timer.
  j=$1 f=$d/$3
  exec 3>&- 4>&- 5<"$f.o" 6<"$f.e" </dev/null 2>/dev/null
  while read -r w k <&8; do
    [ "$k" = "$3" ] || continue # for an earlier run
    [ "$w" = tick ] || exit
    kill -0 "$$" || exit # main is gone: do not hold its stream open
    part 1 5 "$f.o" "$2"
    part 2 6 "$f.e" "$2"
  done
}

run_cmd() { # $1 nonce, $2 output limit, $3 file number, $4 stdin length, $5 arguments (shell code),
  # $6 stream: send what the command writes while it runs (see pump)
  j=$1 cap=$(($2 + 1)) f=$d/$3 in=/dev/null a=$5
  [ "$4" = 0 ] || in=$f.i
  [ $(($3 % 32)) = 0 ] && sweep "$3"
  [ -d "$d" ] || mkdir -m 700 "$d"
  # shellcheck disable=SC2094 # 5 and 6 read what the command writes to 3 and 4, after it ended
  if ! command exec 3>"$f.o" 4>"$f.e" 5<"$f.o" 6<"$f.e"; then
    printf '%s fail cannot create the output files in %s\n' "$j" "$d"; return
  fi
  cpu_now; c0=$u pp=
  [ "$6" = stream ] && { pump "$j" "$2" "$3" & pp=$!; }
  ( # its pid becomes the process group of the command (setsid does not fork here)
    read -r p _ </proc/self/stat
    echo "$p" >"$d/pg"
    [ -s "$d/k" ] && exit 137
    exec <"$in" >&3 2>&4 3>&- 4>&- 5<&- 6<&- 8<&-
    { echo 1000 >/proc/self/oom_score_adj; } 2>/dev/null
    set -- "$sid"
    eval "$a" || exit 126 # appends workdir, shell and command to $@, exports the env
    cd -- "$2" || exit 1
    exec "$1" "$3" -c "$4"
  )
  rc=$?
  if [ -n "$pp" ]; then
    echo "stop $3" >&8
    wait "$pp"
  fi
  cpu_now; c1=-
  [ -n "$c0" ] && [ -n "$u" ] && [ "$u" -ge "$c0" ] && c1=$(((u - c0) / cpud))
  exec 3>&- 4>&-
  # One byte over the limit tells the host the output was cut. Whatever the files hold when head
  # reads them is sent; the nonce after each one ends it, so no size has to be known in advance.
  # After the exit code: the container's CPU time during the run in microseconds, or '-'.
  printf '%s done %s %s\n' "$j" "$rc" "$c1"
  [ -s "/proc/$$/fd/5" ] && head -c "$cap" <&5
  printf '%s 1\n' "$j"
  [ -s "/proc/$$/fd/6" ] && head -c "$cap" <&6
  printf '%s 2\n' "$j"
  exec 5<&- 6<&-
  printf '' >"$f.o"; printf '' >"$f.e" # frees the memory; sweep unlinks them later
}

reset_box() { # kills all but init, the keepalive and this runner; empties the workspace, /tmp, /dev/shm
  for sig in STOP KILL KILL; do
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      case " 1 $$ $r $keep " in *" $p "*) continue ;; esac
      kill -"$sig" "$p" 2>/dev/null
    done
  done
  shift $#
  for f in "$ws"/* "$ws"/.[!.]* "$ws"/..?* /tmp/* /tmp/.[!.]* /tmp/..?* \
    /dev/shm/* /dev/shm/.[!.]* /dev/shm/..?*; do
    [ "$f" != "$d" ] && { [ -e "$f" ] || [ -L "$f" ]; } && set -- "$@" "$f"
  done
  [ $# = 0 ] && return # nothing to delete: no process forked (the runner's own files go by sweep)
  rm -rf -- "$@" 2>/dev/null || { chmod -R u+rwx -- "$@"; rm -rf -- "$@"; } 2>/dev/null
}

exec 9<&0 8<>"$d/tick" # read-write: opening it never blocks, and it never ends
reader <&9 9<&- &
r=$!
exec <"$d/fifo" 9<&-
while read -r n op lim m il a; do
  case $op in
  run | stream) run_cmd "$n" "$lim" "$m" "$il" "$a" "$op" ;;
  reset) reset_box; printf '%s reset %s\n' "$n" "$?" ;;
  hello) printf '%s ready 4 %s\n' "$n" "$$" ;; # 4: the wire format's version
  full) printf '%s fail cannot store the request in %s (full?)\n' "$n" "${d%/*}" ;;
  *) printf '%s error unknown request\n' "$n" ;;
  esac
done
rm -rf "$d"
