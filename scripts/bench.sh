#!/usr/bin/env bash
# Measures boxq on this machine and writes docs/benchmarks.md and bench/results.json.
# Starts its own servers (a throwaway Redis and the Docker engine come from scripts/setup.sh),
# measures the runner path and the docker-exec path side by side in one run, plus a plain
# `docker exec` baseline, pool hand-out, cold start, refill, and 200 idle sandboxes.
# Usage: scripts/bench.sh [--quick]   (--quick: fewer iterations, for a smoke run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
unset BOXQ_STARTED
server_pid=""
stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    docker rm -f boxq-bench-baseline boxq-bench-floor boxq-bench-floor-q >/dev/null 2>&1 || true
    # shellcheck disable=SC2119
    boxq_stop_started
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=scripts/setup.sh
source scripts/setup.sh --for test
BOXQ_LOG_PREFIX="bench"
export REDIS_URL

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
n() { if ((quick)); then echo "$2"; else echo "$1"; fi; }

jar=server/target/boxq.jar
if [[ ! -f "$jar" || -n "$(find pom.xml core api executor scheduler server -name target -prune -o -type f -newer "$jar" -print | head -n1)" ]]; then
    boxq_log "building $jar"
    ./mvnw -B -ntp -q -DskipTests package
fi
mkdir -p bench/tmp
IMAGE=boxq-sandbox:bookworm
CPU=25
ADMIN="bq_admin_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=18099
BASE="http://127.0.0.1:$PORT"
bench() { java bench/Bench.java "$@"; }

# start_server NAME VAR=VALUE...: one all-in-one server with its own prefix, waits for /health.
start_server() {
    local name=$1
    shift
    env PORT=$PORT BOXQ_ADMIN_KEY="$ADMIN" BOXQ_REDIS_PREFIX="bench-$name-$$:" WORKER_ID="bench-$name-$$" \
        SANDBOX_IMAGE=$IMAGE CPU_QUOTA_PERCENT=$CPU "$@" java -jar "$jar" >"bench/tmp/$name.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 240); do
        curl -fsS "$BASE/health" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "bench/tmp/$name.log" >&2; return 1; }
        sleep 0.5
    done
    boxq_err "server $name did not come up"
    return 1
}

# a free-tier key whose concurrency and rate allow the runs (tier and limits go in the results)
make_key() {
    curl -fsS -X POST "$BASE/v1/keys" -H "Authorization: Bearer $ADMIN" \
        -d '{"user": "bench", "tier": "free", "concurrent_jobs": 64, "requests_per_minute": 100000000, "max_sandboxes": 250}' |
        python3 -c 'import sys, json; print(json.load(sys.stdin)["key"])'
}

json_get() { python3 -c "import sys, json; d = json.load(sys.stdin); print(d$1)"; }

results=bench/tmp/results.partial
: >"$results"
put() { echo "$1=$2" >>"$results"; }
# What else was running: the 1, 5 and 15 minute load averages before the first server starts.
put "load_at_start" "\"$(cut -d' ' -f1-3 /proc/loadavg)\""

for runner in shell exec; do
    boxq_log "runner=$runner: latency and throughput"
    start_server "$runner" RUNNER=$runner POOL_SIZE=20 MIN_POOL_SIZE=20 MAX_POOL_SIZE=64 \
        TIER_FREE_CONCURRENT_JOBS=64 MAX_TOTAL_SANDBOXES=300
    key=$(make_key)
    if [[ $runner == shell ]]; then lat=$(n 1000 100) jobs=$(n 10000 500); else lat=$(n 200 30) jobs=$(n 400 60); fi
    out=$(bench latency "$BASE" "$key" "$lat")
    put "warm_job_ms.$runner" "$out"
    out=$(bench throughput "$BASE" "$key" "$jobs" 16)
    put "jobs_per_s_16_clients.$runner" "$out"
    stop_server
done

boxq_log "runner=shell, no CPU quota: latency"
start_server shell-q100 RUNNER=shell CPU_QUOTA_PERCENT=100 POOL_SIZE=4 MIN_POOL_SIZE=4 MAX_POOL_SIZE=8
key=$(make_key)
put "warm_job_ms.shell_full_core" "$(bench latency "$BASE" "$key" "$(n 1000 100)")"
stop_server

boxq_log "the runner alone (no HTTP, Redis or Java) and the in-container cost of a command"
put "runner_floor" "$(python3 bench/runner_floor.py "$IMAGE" "$(n 300 50)")"

boxq_log "plain docker exec baseline"
docker rm -f boxq-bench-baseline >/dev/null 2>&1 || true
docker run -d --name boxq-bench-baseline --label boxq.bench=true --user 65534 --read-only --network none \
    --cpu-quota $((CPU * 1000)) --memory 256m --init "$IMAGE" sleep 3600 >/dev/null
baseline=$(python3 - "$(n 100 20)" <<'PY'
import subprocess, sys, time, json
n = int(sys.argv[1]); ms = []
for _ in range(n):
    t = time.perf_counter(); subprocess.run(["docker", "exec", "boxq-bench-baseline", "echo", "hi"], check=True, capture_output=True)
    ms.append((time.perf_counter() - t) * 1000)
ms.sort(); q = lambda p: ms[min(len(ms) - 1, int(p * len(ms) + 0.999) - 1)]
print(json.dumps({"n": n, "p50": round(q(.5), 2), "p90": round(q(.9), 2), "p99": round(q(.99), 2)}))
PY
)
put "docker_exec_cli_ms" "$baseline"
docker rm -f boxq-bench-baseline >/dev/null

boxq_log "warm hand-out and refill"
start_server handout POOL_SIZE=40 MIN_POOL_SIZE=40 MAX_POOL_SIZE=80 MAX_TOTAL_SANDBOXES=300
warmed=$(grep -o 'warmed [0-9]* containers in [0-9]* ms' bench/tmp/handout.log | head -n1)
put "refill" "{\"line\": \"$warmed\"}"
key=$(make_key)
out=$(bench sandboxes "$BASE" "$key" "$(n 30 10)")
put "warm_handout_ms" "$out"
stop_server

boxq_log "cold start"
start_server cold POOL_SIZE=0 MIN_POOL_SIZE=0 MAX_POOL_SIZE=80 REBALANCE_INTERVAL_SECONDS=3600 MAX_TOTAL_SANDBOXES=300
key=$(make_key)
out=$(bench sandboxes "$BASE" "$key" "$(n 30 10)")
put "cold_start_ms" "$out"
stop_server

boxq_log "200 idle sandboxes"
start_server idle POOL_SIZE=10 MIN_POOL_SIZE=3 MAX_POOL_SIZE=230 MAX_TOTAL_SANDBOXES=300 RUNNER=shell
key=$(make_key)
used_before=$(free -m | awk '/^Mem:/ {print $3}')
held=$(bench hold "$BASE" "$key" "$(n 200 20)")
used_after=$(free -m | awk '/^Mem:/ {print $3}')
out=$(bench latency "$BASE" "$key" "$(n 500 50)")
put "idle_200" "{\"held\": $(echo "$held" | json_get '["held"]'), \"used_memory_mib\": $((used_after - used_before)), \"submit\": $out}"
stop_server

python3 bench/report.py "$results" "$IMAGE" "$CPU" "$quick"
boxq_log "wrote bench/results.json and docs/benchmarks.md"
