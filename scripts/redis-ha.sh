#!/usr/bin/env bash
# A local Redis primary, one replica and three Sentinels, all on loopback: for the failover tests
# and for trying native Sentinel by hand (docs/reliability.md, docs/deploy.md).
#
#   scripts/redis-ha.sh start [--dir DIR] [--ports P,R,S1,S2,S3] [--master-name NAME] [--down-after-ms MS]
#   scripts/redis-ha.sh env   [--dir DIR]     prints REDIS_SENTINELS=... and REDIS_MASTER_NAME=...
#   scripts/redis-ha.sh stop  [--dir DIR]     SIGTERM to each process it started (by its pidfile)
#   scripts/redis-ha.sh restart PORT [--dir DIR]   starts the Redis of PORT again on its own config, as a
#                                                  replica of the primary the Sentinels name now
#
# Defaults: DIR .boxq/redis-ha, ports 6480 (primary), 6481 (replica), 26480-26482 (Sentinels),
# master name boxq, down-after-milliseconds 2000 (tests; production values are in docs/deploy.md).
# The primary and the replica keep AOF (appendfsync everysec). `start` returns once the replica is
# in sync and every Sentinel knows the primary, the replica and the two other Sentinels.
set -euo pipefail

BOXQ_LOG_PREFIX=redis-ha
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd=${1:-}
[[ -n "$cmd" ]] || boxq_die "usage: $0 start|env|stop|restart PORT [--dir DIR] [--ports P,R,S1,S2,S3] ..."
shift
restart_port=""
if [[ "$cmd" == restart ]]; then
    restart_port=${1:?restart needs the port of the Redis to start again}
    shift
fi
dir="$BOXQ_STATE_DIR/redis-ha"
ports="6480,6481,26480,26481,26482"
master=boxq
down_after=2000
while (($# > 0)); do
    case "$1" in
        --dir) dir=$2; shift 2 ;;
        --ports) ports=$2; shift 2 ;;
        --master-name) master=$2; shift 2 ;;
        --down-after-ms) down_after=$2; shift 2 ;;
        *) boxq_die "unknown option $1" ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1 || boxq_die "$1 is missing (apt-get install -y $2, or scripts/setup.sh --for test)"; }

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
answers() { [[ $(cli "$1" ping) == PONG ]]; }

# Waits up to 60 s for "$@" to succeed.
wait_for() {
    local what=$1 i
    shift
    for ((i = 0; i < 600; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    boxq_die "gave up waiting for $what (logs in $dir)"
}

start_redis() { # port [replicaof-port]
    local port=$1 conf="$dir/redis-$1.conf"
    mkdir -p "$dir/data-$port"
    {
        echo "port $port"
        echo "bind 127.0.0.1"
        echo "daemonize yes"
        echo "pidfile $dir/redis-$port.pid"
        echo "logfile $dir/redis-$port.log"
        echo "dir $dir/data-$port"
        echo "appendonly yes"
        echo "appendfsync everysec"
        echo "save \"\""
        echo "repl-diskless-sync-delay 0" # a replica (re)joining syncs at once, not 5 s later
        [[ -n "${2:-}" ]] && echo "replicaof 127.0.0.1 $2"
    } >"$conf"
    redis-server "$conf"
}

start_sentinel() { # port primary-port
    local port=$1 conf="$dir/sentinel-$1.conf"
    {
        echo "port $port"
        echo "bind 127.0.0.1"
        echo "daemonize yes"
        echo "pidfile $dir/sentinel-$port.pid"
        echo "logfile $dir/sentinel-$port.log"
        echo "dir $dir"
        echo "sentinel monitor $master 127.0.0.1 $2 2"
        echo "sentinel down-after-milliseconds $master $down_after"
        echo "sentinel failover-timeout $master 10000"
        echo "sentinel parallel-syncs $master 1"
    } >"$conf"
    redis-sentinel "$conf"
}

replica_in_sync() { cli "$1" info replication | grep -q '^master_link_status:up'; }

sentinel_ready() { # port
    local info
    info=$(cli "$1" sentinel master "$master" | paste - - | tr '\t' '=') || return 1
    grep -qx 'num-other-sentinels=2' <<<"$info" && grep -qx 'num-slaves=1' <<<"$info"
}

case "$cmd" in
    start)
        need redis-server redis-server
        need redis-sentinel redis-sentinel
        need redis-cli redis-tools
        IFS=, read -r p r s1 s2 s3 <<<"$ports"
        [[ -n "$s3" ]] || boxq_die "--ports needs five ports: primary,replica,sentinel1,sentinel2,sentinel3"
        mkdir -p "$dir"
        printf '%s\n' "$p" "$r" "$s1" "$s2" "$s3" >"$dir/ports"
        echo "$master" >"$dir/master-name"
        start_redis "$p"
        wait_for "the primary on $p" answers "$p"
        start_redis "$r" "$p"
        wait_for "the replica on $r to sync" replica_in_sync "$r"
        for s in "$s1" "$s2" "$s3"; do
            start_sentinel "$s" "$p"
        done
        for s in "$s1" "$s2" "$s3"; do
            wait_for "Sentinel $s to know the replica and the other Sentinels" sentinel_ready "$s"
        done
        boxq_log "primary 127.0.0.1:$p, replica 127.0.0.1:$r, Sentinels $s1 $s2 $s3 (master name $master; $dir)"
        "$0" env --dir "$dir"
        ;;
    env)
        [[ -r "$dir/ports" ]] || boxq_die "nothing started in $dir"
        mapfile -t all <"$dir/ports"
        echo "REDIS_SENTINELS=127.0.0.1:${all[2]},127.0.0.1:${all[3]},127.0.0.1:${all[4]}"
        echo "REDIS_MASTER_NAME=$(cat "$dir/master-name")"
        ;;
    restart)
        [[ -r "$dir/redis-$restart_port.conf" ]] || boxq_die "no Redis of port $restart_port in $dir"
        # It comes back as a replica of the primary the Sentinels name now (unless that is itself):
        # Sentinel would convert it too, but only at its next INFO round, up to 10 s later.
        mapfile -t all <"$dir/ports"
        primary=$(cli "${all[2]}" sentinel get-master-addr-by-name "$(cat "$dir/master-name")" | tail -n1)
        if [[ -n "$primary" && "$primary" != "$restart_port" ]]; then
            redis-server "$dir/redis-$restart_port.conf" --replicaof 127.0.0.1 "$primary"
        else
            redis-server "$dir/redis-$restart_port.conf"
        fi
        wait_for "the Redis on $restart_port" answers "$restart_port"
        ;;
    stop)
        for pidfile in "$dir"/sentinel-*.pid "$dir"/redis-*.pid; do
            [[ -r "$pidfile" ]] || continue
            pid=$(cat "$pidfile")
            if kill -0 "$pid" 2>/dev/null; then
                kill "$pid" || true
                for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
            fi
            rm -f "$pidfile"
        done
        ;;
    *) boxq_die "unknown command $cmd (start, env, stop, restart)" ;;
esac
