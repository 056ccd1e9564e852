#!/usr/bin/env bash
# Helpers shared by setup.sh, test.sh, run.sh, stop-started.sh and build-sandbox-image.sh.
#
# This file is meant to be sourced. It defines functions and a few variables only; it does
# not change the caller's shell options. The functions that do real work (boxq_setup_*) expect
# to run under `set -euo pipefail` in a child bash (setup.sh arranges that); boxq_stop_started
# is written to be safe anywhere (in EXIT traps, with or without errexit).
#
# State dir (.boxq/ at the repo root, ignored by git):
#   .boxq/started/<name>.pid   one file per process *we* started, holding its pid
#                              (names: dockerd, redis-6390, redis-6379)
#   .boxq/run/                 pidfiles the daemons write themselves (redis)
#   .boxq/redis-data/          data dir (AOF) of the Redis that run.sh starts
#   .boxq/*.log                logs of what we started (dockerd.log, redis-<port>.log)
#   .boxq/setup.lock           flock so two setups do not race
# BOXQ_STARTED (exported by setup.sh) lists the names this shell's setup started, so a
# session stops only what it started; scripts/stop-started.sh (no args) stops every record.

# shellcheck disable=SC2034  # variables are used by the scripts that source this file
BOXQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BOXQ_STATE_DIR="$BOXQ_ROOT/.boxq"
BOXQ_STARTED_DIR="$BOXQ_STATE_DIR/started"
BOXQ_TEST_REDIS_PORT=6390
BOXQ_RUN_REDIS_PORT=6379
BOXQ_IMAGES=(boxq-sandbox:bookworm boxq-sandbox:busybox)

boxq_log() { printf '%s: %s\n' "${BOXQ_LOG_PREFIX:-setup}" "$*"; }
boxq_err() { printf '%s: error: %s\n' "${BOXQ_LOG_PREFIX:-setup}" "$*" >&2; }
boxq_die() { boxq_err "$@"; exit 1; }

boxq_is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------------------------------------
# JDK

# Major version of the JDK at $1 (a JAVA_HOME), or nothing when it is not a usable JDK.
boxq_jdk_major() {
    local home=$1 v=""
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
    if [[ -r "$home/release" ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n1)
    fi
    if [[ -z "$v" ]]; then
        v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = *//p' | head -n1) || true
    fi
    [[ -n "$v" ]] || return 0
    [[ "$v" == 1.* ]] && v=${v#1.}
    v=${v%%[!0-9]*}
    [[ -n "$v" ]] && printf '%s\n' "$v"
    return 0
}

# Sets BOXQ_JAVA_HOME and BOXQ_JAVA_MAJOR, or fails with the plain message.
boxq_find_jdk() {
    local cand major best="" best_major=0 onpath
    if [[ -n "${JAVA_HOME:-}" ]]; then
        major=$(boxq_jdk_major "$JAVA_HOME")
        if [[ -n "$major" && "$major" -ge 21 ]]; then
            BOXQ_JAVA_HOME=$JAVA_HOME
            BOXQ_JAVA_MAJOR=$major
            return 0
        fi
    fi
    local cands=(/usr/lib/jvm/*)
    if onpath=$(command -v java 2>/dev/null); then
        onpath=$(readlink -f "$onpath")
        cands+=("$(dirname "$(dirname "$onpath")")")
    fi
    for cand in "${cands[@]}"; do
        [[ -d "$cand" ]] || continue
        major=$(boxq_jdk_major "$cand")
        [[ -n "$major" ]] || continue
        if [[ "$major" -ge 21 && "$major" -gt "$best_major" ]]; then
            best=$(readlink -f "$cand")
            best_major=$major
        fi
    done
    if [[ -z "$best" ]]; then
        boxq_die "boxq needs a JDK 21 or newer; install e.g. temurin-21-jdk or openjdk-21-jdk and set JAVA_HOME"
    fi
    BOXQ_JAVA_HOME=$best
    BOXQ_JAVA_MAJOR=$best_major
}

# ---------------------------------------------------------------------------------------------
# .env (read the way the server's DotEnv reads it: KEY=value lines, `export ` allowed, # comments,
# one pair of quotes around a value, ` #` starts a comment after an unquoted value; the last line
# of a name counts)

# boxq_dotenv_value FILE NAME : prints NAME's value in FILE; returns 1 when FILE does not set it.
boxq_dotenv_value() {
    local file=$1 want=$2 line key value found=1 out=""
    [[ -f "$file" ]] || return 1
    while IFS= read -r line || [[ -n "$line" ]]; do
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        [[ -z "$line" || "$line" == "#"* ]] && continue
        if [[ "$line" == "export "* ]]; then
            line=${line#export }
            line=${line#"${line%%[![:space:]]*}"}
        fi
        [[ "$line" == *=* && "$line" != =* ]] || continue
        key=${line%%=*}
        key=${key%"${key##*[![:space:]]}"}
        [[ "$key" == "$want" ]] || continue
        value=${line#*=}
        value=${value#"${value%%[![:space:]]*}"}
        if ((${#value} >= 2)) && [[ ("$value" == \"*\" || "$value" == \'*\') ]]; then
            value=${value:1:${#value}-2}
        elif [[ "$value" == "#"* ]]; then
            value=""
        elif [[ "$value" == *" #"* ]]; then
            value=${value%%" #"*}
            value=${value%"${value##*[![:space:]]}"}
        fi
        out=$value
        found=0
    done <"$file"
    ((found == 0)) || return 1
    printf '%s\n' "$out"
}

# boxq_dotenv_defaults FILE NAME... : every NAME the environment does not set (set but empty
# counts as set, as for the server) takes its value from FILE, exported. A REDIS_URL that an
# earlier setup exported (BOXQ_REDIS_URL_SET) is no choice of the user's: FILE's wins over it.
boxq_dotenv_defaults() {
    local file=$1 name value
    shift
    [[ -f "$file" ]] || return 0
    for name in "$@"; do
        if [[ -n "${!name+set}" ]]; then
            [[ "$name" == REDIS_URL && -n "${BOXQ_REDIS_URL_SET:-}" && "$REDIS_URL" == "$BOXQ_REDIS_URL_SET" ]] ||
                continue
        fi
        value=$(boxq_dotenv_value "$file" "$name") || continue
        printf -v "$name" '%s' "$value"
        # shellcheck disable=SC2163  # exports the variable named by $name
        export "$name"
    done
}

# ---------------------------------------------------------------------------------------------
# Debian packages

boxq_busybox_static_ok() { # ldd fails on a static binary: no pipe (pipefail) here
    local out
    [[ -x /bin/busybox ]] || return 1
    out=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
    [[ "$out" == *"not a dynamic executable"* ]]
}

# boxq_install_packages PKG... : installs the packages with apt-get (root), or names the
# exact command and fails.
boxq_install_packages() {
    (($# > 0)) || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        boxq_die "missing Debian packages: $* (no apt-get here; install the equivalents by hand)"
    fi
    if ! boxq_is_root; then
        boxq_err "missing packages: $*"
        boxq_die "run as root: apt-get update && apt-get install -y $*"
    fi
    boxq_log "installing $* (apt-get)"
    # Keep package scripts from starting services we would not know about.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
    } >"$BOXQ_STATE_DIR/apt.log" 2>&1 || rc=$?
    ((made_policy)) && rm -f "$policy"
    if ((rc != 0)); then
        tail -n 20 "$BOXQ_STATE_DIR/apt.log" >&2
        boxq_die "apt-get install -y $* failed (log: $BOXQ_STATE_DIR/apt.log)"
    fi
}

# ---------------------------------------------------------------------------------------------
# The clients' test tools (clients/python, clients/typescript; run by the client module's ITs)

# Dies unless node is 18 or newer (the TypeScript client's floor: global fetch, node --test).
boxq_check_node() {
    local v
    v=$(node --version 2>/dev/null || true)
    v=${v#v}
    [[ "${v%%.*}" =~ ^[0-9]+$ && "${v%%.*}" -ge 18 ]] ||
        boxq_die "clients/typescript needs Node.js 18 or newer; found '${v:-none}' (Debian bookworm's nodejs is 18)"
}

# boxq_npm_ci DIR : `npm ci` in DIR when its node_modules is not what its package-lock.json says
# (a stamp copy of the lock is kept in node_modules).
boxq_npm_ci() {
    local dir=$1 stamp=$1/node_modules/.boxq-package-lock.json
    if [[ -f "$stamp" ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
        boxq_log "$dir/node_modules up to date"
        return 0
    fi
    boxq_log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$BOXQ_STATE_DIR/npm-ci.log" 2>&1 ||
        { tail -n 20 "$BOXQ_STATE_DIR/npm-ci.log" >&2; boxq_die "npm ci in $dir failed (log: $BOXQ_STATE_DIR/npm-ci.log)"; }
    cp "$dir/package-lock.json" "$stamp"
}

# ---------------------------------------------------------------------------------------------
# Records of what we started

# Name of the executable a record's pid must have.
boxq_record_comm() {
    case $1 in
        dockerd*) echo dockerd ;;
        redis*) echo redis-server ;;
        *) echo "" ;;
    esac
}

# Prints the pid of record $1 when that process is alive and is what we started; else nothing
# (and removes a stale record).
boxq_record_pid() {
    local name=$1 file="$BOXQ_STARTED_DIR/$1.pid" pid comm want
    [[ -f "$file" ]] || return 0
    pid=$(head -n1 "$file" 2>/dev/null | tr -dc '0-9')
    want=$(boxq_record_comm "$name")
    comm=""
    [[ -n "$pid" ]] && comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    if [[ -n "$pid" && -n "$want" && "$comm" == "$want" ]]; then
        printf '%s\n' "$pid"
    else
        rm -f "$file"
    fi
    return 0
}

boxq_record() { # name pid
    mkdir -p "$BOXQ_STARTED_DIR"
    printf '%s\n' "$2" >"$BOXQ_STARTED_DIR/$1.pid"
    case " ${BOXQ_STARTED:-} " in
        *" $1 "*) ;;
        *) BOXQ_STARTED="${BOXQ_STARTED:+$BOXQ_STARTED }$1" ;;
    esac
}

# Waits up to $2 seconds for pid $1 to be gone; returns 1 if it is still there.
boxq_wait_gone() {
    local pid=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null
}

boxq_stop_one() { # name
    local name=$1 pid ids
    pid=$(boxq_record_pid "$name")
    if [[ -z "$pid" ]]; then
        rm -f "$BOXQ_STARTED_DIR/$name.pid"
        return 0
    fi
    if [[ "$name" == dockerd ]]; then
        ids=$(docker ps -aq --filter label=boxq.managed=true 2>/dev/null || true)
        if [[ -n "$ids" ]]; then
            # shellcheck disable=SC2086
            docker rm -f $ids >/dev/null 2>&1 || true
            BOXQ_LOG_PREFIX=stop boxq_log "removed $(wc -w <<<"$ids") boxq.managed container(s)"
        fi
    fi
    kill -TERM "$pid" 2>/dev/null || true
    if ! boxq_wait_gone "$pid" 30; then
        BOXQ_LOG_PREFIX=stop boxq_err "$name (pid $pid) did not exit after 30 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        boxq_wait_gone "$pid" 10 || true
    fi
    rm -f "$BOXQ_STARTED_DIR/$name.pid"
    BOXQ_LOG_PREFIX=stop boxq_log "$name stopped (pid $pid)"
}

# boxq_stop_started            stops what this shell's setup started ($BOXQ_STARTED)
# boxq_stop_started --all      stops everything recorded in .boxq/started/
# boxq_stop_started NAME...    stops those records
# Redis goes before dockerd. Never touches a process without a record.
boxq_stop_started() {
    local names=() n f ordered=()
    if [[ "${1:-}" == --all ]]; then
        for f in "$BOXQ_STARTED_DIR"/*.pid; do
            [[ -e "$f" ]] || continue
            n=${f##*/}
            names+=("${n%.pid}")
        done
    elif (($# > 0)); then
        names=("$@")
    else
        # shellcheck disable=SC2206
        names=(${BOXQ_STARTED:-})
    fi
    for n in "${names[@]}"; do [[ "$n" != dockerd ]] && ordered+=("$n"); done
    for n in "${names[@]}"; do [[ "$n" == dockerd ]] && ordered+=("$n"); done
    for n in "${ordered[@]}"; do
        boxq_stop_one "$n" || true
    done
    BOXQ_STARTED=""
    return 0
}

# ---------------------------------------------------------------------------------------------
# Docker

boxq_docker_answers() {
    local v
    v=$(timeout 15 docker info --format '{{.ServerVersion}}' 2>/dev/null) || return 1
    [[ -n "$v" && "$v" != "<no value>" ]]
}

# True when DOCKER_HOST names no engine of its own: unset, or this host's default socket (which is
# what a copied .env.example says), so setup may start dockerd when nothing answers there.
boxq_docker_host_is_local() {
    [[ -z "${DOCKER_HOST:-}" || "$DOCKER_HOST" == unix:///var/run/docker.sock ]]
}

# The arguments that give the dockerd boxq starts the runsc runtime (gVisor), when runsc is installed:
# --add-runtime with a wrapper in the state dir that adds the arguments that work here (without
# --network=none runsc refuses a container with no network; the KVM platform hung). Nothing when the
# system's daemon.json already names runsc (dockerd refuses a runtime given twice).
boxq_dockerd_runtime_args() {
    local runsc
    runsc=$(command -v runsc 2>/dev/null) || return 0
    grep -qs '"runsc"' /etc/docker/daemon.json && return 0
    mkdir -p "$BOXQ_STATE_DIR"
    printf '#!/bin/sh\n# written by scripts/setup.sh: runsc as boxq runs it (docs/deploy.md)\nexec %s --network=none --platform=ptrace "$@"\n' \
        "$runsc" >"$BOXQ_STATE_DIR/runsc"
    chmod 755 "$BOXQ_STATE_DIR/runsc"
    echo "--add-runtime=runsc=$BOXQ_STATE_DIR/runsc"
}

boxq_setup_docker() {
    if ! boxq_docker_host_is_local; then
        boxq_docker_answers ||
            boxq_die "DOCKER_HOST=$DOCKER_HOST is set but 'docker info' does not answer there"
        boxq_log "docker engine at DOCKER_HOST=$DOCKER_HOST"
        return 0
    fi
    local pid
    if boxq_docker_answers; then
        pid=$(boxq_record_pid dockerd)
        if [[ -n "$pid" ]]; then
            boxq_log "docker engine already running (pid $pid, started by an earlier setup)"
        else
            boxq_log "docker engine already running (not started by us)"
        fi
        return 0
    fi
    boxq_is_root || boxq_die "no Docker engine answers and only root can start dockerd here; start it (or set DOCKER_HOST) and retry"
    local i
    if pgrep -x dockerd >/dev/null 2>&1; then
        boxq_log "a dockerd we did not start is running but not answering yet; waiting"
        local waited=$((SECONDS + 60))
        while ((SECONDS < waited)); do
            boxq_docker_answers && { boxq_log "docker engine answers"; return 0; }
            sleep 1
        done
        boxq_die "a dockerd (pid $(pgrep -x dockerd | tr '\n' ' ')) runs but 'docker info' does not answer; not touching it"
    fi
    mkdir -p "$BOXQ_STATE_DIR"
    local log="$BOXQ_STATE_DIR/dockerd.log" launched
    # setsid in a command substitution: dockerd gets its own session, is reparented to init,
    # and holds none of our fds (stdin, stdout, the setup lock). setsid execs in place here
    # (not a process-group leader), so $! is dockerd; should it have forked after all, the
    # only dockerd is ours (none ran before).
    local runtime_args
    runtime_args=$(boxq_dockerd_runtime_args)
    # shellcheck disable=SC2086 # one argument or none
    launched=$(setsid dockerd $runtime_args </dev/null >"$log" 2>&1 9>&- & echo $!)
    pid=""
    local deadline=$((SECONDS + 60))
    for ((i = 0; SECONDS < deadline; i++)); do
        if [[ -z "$pid" ]]; then
            if [[ "$(cat "/proc/$launched/comm" 2>/dev/null)" == dockerd ]]; then
                pid=$launched
            else
                pid=$(pgrep -n -x dockerd || true)
            fi
            # Recorded at once, so that it is stopped even if it never answers.
            [[ -n "$pid" ]] && boxq_record dockerd "$pid"
        fi
        if boxq_docker_answers; then
            [[ -n "$pid" ]] || boxq_die "docker answers but no dockerd process is to be seen"
            boxq_log "docker engine started (pid $pid, log $log)"
            return 0
        fi
        if ((i >= 10)) && ! pgrep -x dockerd >/dev/null 2>&1; then
            tail -n 20 "$log" >&2 || true
            boxq_die "dockerd exited during startup (log: $log)"
        fi
        sleep 0.2
    done
    boxq_die "dockerd started (pid ${pid:-$launched}) but 'docker info' did not answer within 60 s (log: $log)"
}

# ---------------------------------------------------------------------------------------------
# Redis

boxq_redis_ping_port() { # port
    [[ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]
}

boxq_redis_ping_url() { # url
    [[ "$(timeout 5 redis-cli -u "$1" ping 2>/dev/null)" == PONG ]]
}

# boxq_start_redis PORT MODE(test|run)
boxq_start_redis() {
    local port=$1 mode=$2 name="redis-$1" pid i
    pid=$(boxq_record_pid "$name")
    if boxq_redis_ping_port "$port"; then
        if [[ -n "$pid" ]]; then
            boxq_log "redis on 127.0.0.1:$port already running (pid $pid, started by an earlier setup)"
        else
            boxq_log "redis on 127.0.0.1:$port already running (not started by us)"
        fi
        return 0
    fi
    mkdir -p "$BOXQ_STATE_DIR/run"
    local pidfile="$BOXQ_STATE_DIR/run/$name.pid" log="$BOXQ_STATE_DIR/$name.log"
    local args=(--port "$port" --bind 127.0.0.1 --daemonize yes --pidfile "$pidfile"
        --logfile "$log" --maxmemory-policy noeviction)
    if [[ "$mode" == test ]]; then
        args+=(--save '' --appendonly no --dir "$BOXQ_STATE_DIR/run")
    else
        mkdir -p "$BOXQ_STATE_DIR/redis-data"
        args+=(--appendonly yes --appendfsync everysec --dir "$BOXQ_STATE_DIR/redis-data")
    fi
    rm -f "$pidfile"
    redis-server "${args[@]}" </dev/null >>"$log" 2>&1 9>&- ||
        { tail -n 20 "$log" >&2; boxq_die "redis-server on port $port failed to start (log: $log)"; }
    pid=""
    for ((i = 0; i < 100; i++)); do
        if [[ -z "$pid" && -s "$pidfile" ]]; then
            pid=$(tr -dc '0-9' <"$pidfile")
            [[ -n "$pid" ]] && boxq_record "$name" "$pid" # so it is stopped even if it hangs
        fi
        if [[ -n "$pid" ]] && boxq_redis_ping_port "$port"; then
            if [[ "$mode" == test ]]; then
                boxq_log "redis started on 127.0.0.1:$port (pid $pid, throwaway, no persistence)"
            else
                boxq_log "redis started on 127.0.0.1:$port (pid $pid, AOF in $BOXQ_STATE_DIR/redis-data)"
            fi
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$log" >&2 || true
    boxq_die "redis-server on port $port did not answer within 10 s (log: $log)"
}

# $1 with user and password (all between :// and the last @) as ***, like the server's Redis.redact.
boxq_redact_url() {
    local url=$1
    if [[ "$url" == *://*@* ]]; then
        printf '%s\n' "${url%%://*}://***@${url##*@}"
    else
        printf '%s\n' "$url"
    fi
}

# True when REDIS_URL names a Redis of the user's, which setup must use and never start: set, not
# what an earlier setup exported (BOXQ_REDIS_URL_SET), and in run mode not 127.0.0.1:6379 (the
# default, and what a copied .env.example says: the Redis run mode starts when none answers).
boxq_redis_url_is_users() { # mode
    [[ -n "${REDIS_URL:-}" && "$REDIS_URL" != "${BOXQ_REDIS_URL_SET:-}" ]] || return 1
    [[ "$1" == run && "$REDIS_URL" =~ ^redis://(127\.0\.0\.1|localhost):${BOXQ_RUN_REDIS_PORT}/?$ ]] && return 1
    return 0
}

# Sets REDIS_URL. A REDIS_URL that an earlier setup exported (BOXQ_REDIS_URL_SET) is not
# treated as the user's choice: it is worked out again for this mode (boxq_redis_url_is_users).
boxq_setup_redis() {
    local mode=$1 user_url=""
    boxq_redis_url_is_users "$mode" && user_url=$REDIS_URL
    if [[ -n "$user_url" ]]; then
        boxq_redis_ping_url "$user_url" ||
            boxq_die "REDIS_URL=$(boxq_redact_url "$user_url") is set but does not answer PING"
        REDIS_URL=$user_url
        BOXQ_REDIS_URL_SET=""
        boxq_log "redis at $(boxq_redact_url "$REDIS_URL") (from REDIS_URL)"
        return 0
    fi
    local port
    if [[ "$mode" == test ]]; then
        port=$BOXQ_TEST_REDIS_PORT
    else
        port=$BOXQ_RUN_REDIS_PORT
    fi
    boxq_start_redis "$port" "$mode"
    REDIS_URL="redis://127.0.0.1:$port"
    BOXQ_REDIS_URL_SET=$REDIS_URL
    boxq_log "redis at $REDIS_URL"
}

# ---------------------------------------------------------------------------------------------
# Sandbox images

boxq_image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
