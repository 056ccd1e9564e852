#!/usr/bin/env bash
# Soak (not run by scripts/test.sh): an api and two executor processes of the jar on one Redis
# prefix; --jobs jobs (default 10000) from --clients concurrent clients (default 32); one executor
# is killed with SIGKILL when half the jobs are submitted. Then checks that every job is terminal,
# no result is missing or duplicated, no job ran more often than it allows, and no run slot,
# stream entry, sandbox place or container is left; writes the figures into docs/reliability.md.
# Usage: scripts/soak.sh [--jobs N] [--clients C]
# Uses REDIS_URL when set (under its own key prefix, deleted at the end), else the throwaway
# Redis of scripts/setup.sh --for test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
unset BOXQ_STARTED
pids=()
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "${PREFIX:-}" ]]; then
        docker ps -aq --filter "label=boxq.deployment=$PREFIX" | xargs -r docker rm -f >/dev/null 2>&1 || true
        redis-cli -u "$REDIS_URL" --scan --pattern "$PREFIX*" | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null || true
    fi
    # shellcheck disable=SC2119
    boxq_stop_started
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

jobs=10000
clients=32
while (($# > 0)); do
    case $1 in
        --jobs) jobs=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        *) boxq_die "unknown argument $1 (use --jobs N --clients C)" ;;
    esac
done

# shellcheck source=scripts/setup.sh
source scripts/setup.sh --for test
BOXQ_LOG_PREFIX="soak"
export REDIS_URL

jar=server/target/boxq.jar
if [[ ! -f "$jar" || -n "$(find pom.xml core api executor scheduler server -name target -prune -o -type f -newer "$jar" -print | head -n1)" ]]; then
    boxq_log "building $jar"
    ./mvnw -B -ntp -q -DskipTests -pl server -am package
fi
mkdir -p target/soak
cp "$jar" target/soak/boxq.jar # a rebuild during the run must not pull the jar from under the processes
jar=target/soak/boxq.jar

run_id="$$-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PREFIX="soak-$run_id:"
ADMIN="bq_admin_soak_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
VICTIM="soak-victim-$run_id"
SURVIVOR="soak-survivor-$run_id"
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# launch ROLE WORKER_ID PORT: one process of the jar; fast leases and sweeps so the kill is settled quickly.
launch() {
    env -i PATH="$PATH" HOME="$HOME" BOXQ_ROLES="$1" WORKER_ID="$2" PORT="$3" HOST=127.0.0.1 \
        REDIS_URL="$REDIS_URL" BOXQ_REDIS_PREFIX="$PREFIX" BOXQ_ADMIN_KEY="$ADMIN" \
        SANDBOX_IMAGE=boxq-sandbox:busybox POOL_SIZE=10 MIN_POOL_SIZE=2 MAX_POOL_SIZE=20 \
        LEASE_TIMEOUT_SECONDS=5 RECLAIM_INTERVAL_SECONDS=1 HEARTBEAT_INTERVAL_SECONDS=2 NODE_TTL_SECONDS=10 \
        CLEANUP_INTERVAL_SECONDS=5 SHUTDOWN_GRACE_SECONDS=20 \
        "$JAVA_HOME/bin/java" -Xmx512m -jar "$jar" >"target/soak/$2.log" 2>&1 &
    pids+=($!)
}
await_health() {
    for _ in $(seq 1 240); do
        curl -fsS "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    boxq_die "nothing answers /health on port $1 (see target/soak/*.log)"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

boxq_log "prefix $PREFIX: api on $API_PORT, executors $VICTIM (killed midway) and $SURVIVOR"
victim_port=$(free_port)
survivor_port=$(free_port)
launch executor "$VICTIM" "$victim_port"
victim_pid=${pids[-1]}
launch executor "$SURVIVOR" "$survivor_port"
survivor_pid=${pids[-1]}
launch api "soak-api-$run_id" "$API_PORT"
api_pid=${pids[-1]}
await_health "$victim_port"
await_health "$survivor_port"
await_health "$API_PORT"
for _ in $(seq 1 120); do
    nodes=$(curl -fsS "http://127.0.0.1:$API_PORT/health" | jq '.nodes | length')
    ((nodes == 2)) && break
    sleep 0.5
done

boxq_log "$jobs jobs from $clients clients"
report=target/soak/report.md
soak_rc=0
"$JAVA_HOME/bin/java" -cp "$jar" scripts/soak/Soak.java --api "http://127.0.0.1:$API_PORT" --admin "$ADMIN" \
    --jobs "$jobs" --clients "$clients" --kill-pid "$victim_pid" --redis "$REDIS_URL" --prefix "$PREFIX" \
    --report "$report" || soak_rc=$?

# The survivor's orphan sweep removes the dead node's containers once they are 60 s old.
left=""
for _ in $(seq 1 90); do
    left=$(docker ps -aq --filter "label=boxq.node=$VICTIM")
    [[ -z "$left" ]] && break
    sleep 2
done
kill -TERM "$survivor_pid" "$api_pid"
wait "$survivor_pid" "$api_pid" 2>/dev/null || true
pids=()
leaked=$(docker ps -aq --filter "label=boxq.deployment=$PREFIX" | wc -l)
dead_node_left=$(redis-cli -u "$REDIS_URL" sismember "${PREFIX}nodes" "$VICTIM")
{
    cat "$report"
    echo "| leftovers | count |"
    echo "|---|---|"
    echo "| containers of the killed node left after the survivor's sweep | $(echo -n "$left" | grep -c . || true) |"
    echo "| containers left after the survivor's SIGTERM | $leaked |"
    echo "| killed node still registered | $dead_node_left |"
    echo
    echo "Command: \`scripts/soak.sh --jobs $jobs --clients $clients\` on $(nproc) cores; logs in target/soak/."
} >target/soak/section.md
if [[ -n "$left" || "$leaked" != 0 || "$dead_node_left" != 0 ]]; then
    soak_rc=1
fi
python3 - target/soak/section.md docs/reliability.md <<'EOF'
import re, sys
section = open(sys.argv[1]).read()
doc = open(sys.argv[2]).read()
begin, end = "<!-- soak:begin -->", "<!-- soak:end -->"
doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: begin + "\n" + section + end, doc, flags=re.S)
open(sys.argv[2], "w").write(doc)
EOF
cat target/soak/section.md
if ((soak_rc == 0)); then boxq_log "passed; figures in docs/reliability.md"; else boxq_err "failed"; fi
exit "$soak_rc"
