#!/usr/bin/env bash
# Measures boxq on this machine and writes docs/benchmarks.md and bench/results.json.
# Starts its own servers and its own Redis (so Redis's counters are the bench's alone; the Docker
# engine comes from scripts/setup.sh), measures each runner and the docker-exec path side by side
# in one run, plus a plain `docker exec` baseline, pool hand-out, cold start, refill, what one job
# costs (Redis commands and CPU, JVM CPU, engine CPU, host pids; bench/cost.py) and N idle
# sandboxes.
# Usage: scripts/bench.sh [--quick] [--only cost|redis_wait|sandbox_ops|runtimes]
#   --quick              fewer iterations, for a smoke run
#   --only cost          only what one job costs (each runner's cost run), left in
#                        bench/tmp/cost.partial; nothing else is written (scripts/bench-ab.sh
#                        compares two versions with it)
#   --only redis_wait    only the cost of acknowledged writes (a replica of the bench's Redis, one
#                        server with REDIS_WAIT_REPLICAS=0 and one with 1); updates its part of
#                        bench/results.json and docs/benchmarks.md and leaves the rest as it is
#   --only sandbox_ops   only pause, resume, snapshot and fork (pause_ms, resume_ms, snapshot_ms,
#                        fork_ms in bench/results.json and their section of docs/benchmarks.md)
#   --only runtimes      only the runtime comparison (runc beside runsc: warm job p50/p99, jobs/s
#                        with 16 clients, cold start, idle memory per container), written to
#                        bench/results.json (runtime.<name>.*) and docs/benchmarks.md; a full run
#                        ends with it too
# Environment:
#   BENCH_RUNNERS="agent exec"   the runners measured, each with RUNNER=<name> on the server; the
#                                first one that is not `exec` also runs the whole-core latency, the
#                                idle-sandbox and the profiling runs (e.g. BENCH_RUNNERS="agent exec")
#   BENCH_COST_JOBS=2000         jobs in each cost run (--quick: 200)
#   BENCH_IDLE=500               idle sandboxes held (--quick: 20)
#   BENCH_JFR=1                  profile a 16-client run of each runner but exec with JDK Flight
#                                Recorder (bench/tmp/<runner>.jfr, <runner>-hot.txt)
#   BENCH_JAR=<path>             measure this jar instead of building server/target/boxq.jar
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
# stop_child PID: SIGTERM to a child this script started, and wait for it
stop_child() {
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill -TERM "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
bench_redis_pid=""
stop_bench_redis() { stop_child "$bench_redis_pid"; bench_redis_pid=""; }
bench_replica_pid=""
stop_bench_replica() { stop_child "$bench_replica_pid"; bench_replica_pid=""; }
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    stop_bench_replica
    stop_bench_redis
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

args="$*"
quick=0
only=""
while (($# > 0)); do
    case "$1" in
        --quick) quick=1 ;;
        --only) only=${2:?--only needs a part: cost, redis_wait, sandbox_ops or runtimes}; shift ;;
        *) boxq_die "unknown option $1 (--quick, --only cost|redis_wait|sandbox_ops|runtimes)" ;;
    esac
    shift
done
[[ -z "$only" || "$only" == cost || "$only" == redis_wait || "$only" == sandbox_ops || "$only" == runtimes ]] ||
    boxq_die "--only knows cost, redis_wait, sandbox_ops and runtimes, not $only"
n() { if ((quick)); then echo "$2"; else echo "$1"; fi; }
read -r -a RUNNERS <<<"${BENCH_RUNNERS:-agent exec}"
((${#RUNNERS[@]} > 0)) || boxq_die "BENCH_RUNNERS names no runner"
CANDIDATE=${RUNNERS[0]} # the runner under test: the first that is not the docker-exec baseline
for r in "${RUNNERS[@]}"; do [[ $r != exec ]] && { CANDIDATE=$r; break; }; done
COST_JOBS=${BENCH_COST_JOBS:-$(n 2000 200)}
IDLE_N=${BENCH_IDLE:-$(n 500 20)}
JFR=${BENCH_JFR:-0}
COMMAND="${BENCH_RUNNERS:+BENCH_RUNNERS=\"$BENCH_RUNNERS\" }${BENCH_COST_JOBS:+BENCH_COST_JOBS=$BENCH_COST_JOBS }${BENCH_IDLE:+BENCH_IDLE=$BENCH_IDLE }${BENCH_JFR:+BENCH_JFR=$BENCH_JFR }scripts/bench.sh${args:+ $args}"
mkdir -p bench/tmp

# The bench's own Redis on a free loopback port, so that INFO's counters are the bench's alone
# (the test Redis setup reuses is shared with other work). Started here, stopped by its pid.
start_bench_redis() {
    local port attempt i
    for attempt in $(seq 1 20); do
        port=$((6391 + RANDOM % 2000))
        boxq_redis_ping_port "$port" && continue
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir bench/tmp \
            --maxmemory-policy noeviction >"bench/tmp/redis.log" 2>&1 &
        bench_redis_pid=$!
        for i in $(seq 1 50); do
            kill -0 "$bench_redis_pid" 2>/dev/null || break
            if [[ "$(redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" == "$bench_redis_pid" ]]; then
                BENCH_REDIS_PORT=$port
                REDIS_URL="redis://127.0.0.1:$port"
                export REDIS_URL
                boxq_log "bench redis on 127.0.0.1:$port (pid $bench_redis_pid)"
                return 0
            fi
            sleep 0.1
        done
        stop_bench_redis
    done
    boxq_die "could not start a redis-server of the bench's own (log: bench/tmp/redis.log)"
}
start_bench_redis

jar=${BENCH_JAR:-server/target/boxq.jar}
[[ -z "${BENCH_JAR:-}" || -f "$jar" ]] || boxq_die "BENCH_JAR: no file $jar"
if [[ -z "${BENCH_JAR:-}" ]] && [[ ! -f "$jar" || -n "$(find pom.xml core api executor scheduler server -name target -prune -o -type f -newer "$jar" -print | head -n1)" ]]; then
    boxq_log "building $jar"
    ./mvnw -B -ntp -q -DskipTests -pl server -am package
fi
IMAGE=boxq-sandbox:bookworm
CPU=25
ADMIN="bq_admin_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=""
BASE=""
bench() { java bench/Bench.java "$@"; }
# a loopback port nothing listens on (the machine is shared: another bench or test may hold one)
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((18100 + RANDOM % 2000))
        [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return 0; }
    done
    boxq_die "no free port found"
}

# start_server NAME VAR=VALUE...: one all-in-one server with its own prefix on a free port, waits
# until it answers /health on a port it holds itself.
start_server() {
    local name=$1
    shift
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    env PORT=$PORT BOXQ_ADMIN_KEY="$ADMIN" BOXQ_REDIS_PREFIX="bench-$name-$$:" WORKER_ID="bench-$name-$$" \
        SANDBOX_IMAGE=$IMAGE CPU_QUOTA_PERCENT=$CPU "$@" java -jar "$jar" >"bench/tmp/$name.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 240); do
        if curl -fsS "$BASE/health" >/dev/null 2>&1; then
            ss -Hltnp "sport = :$PORT" | grep -q "pid=$server_pid," && return 0
            boxq_err "another process answers on port $PORT"
            return 1
        fi
        kill -0 "$server_pid" 2>/dev/null || { cat "bench/tmp/$name.log" >&2; return 1; }
        sleep 0.5
    done
    boxq_err "server $name did not come up"
    return 1
}

# a free-tier key whose concurrency and rate allow the runs (tier and limits go in the results);
# $1: its max_sandboxes (250)
make_key() {
    curl -fsS -X POST "$BASE/v1/keys" -H "Authorization: Bearer $ADMIN" \
        -d '{"user": "bench", "tier": "free", "concurrent_jobs": 64, "requests_per_minute": 100000000, "max_sandboxes": '"${1:-250}"'}' |
        python3 -c 'import sys, json; print(json.load(sys.stdin)["key"])'
}

json_get() { python3 -c "import sys, json; d = json.load(sys.stdin); print(d$1)"; }

# The runtime comparison: the same measures under each runtime, in one run (bench/runtimes.py).
bench_runtimes() {
    local out=bench/tmp/runtimes.partial rt key held
    : >"$out"
    echo "command=$(python3 -c 'import sys, json; print(json.dumps(sys.argv[1]))' "$COMMAND")" >>"$out"
    echo "date=\"$(date -u +%Y-%m-%d)\"" >>"$out"
    echo "load_at_start=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" >>"$out"
    echo "cpu_percent=$CPU" >>"$out"
    for rt in runc runsc; do
        boxq_log "runtime=$rt: latency and throughput (CPU quota $CPU %)"
        start_server "rt-$rt" ALLOWED_RUNTIMES=runc,runsc SANDBOX_RUNTIME=$rt POOL_SIZE=16 MIN_POOL_SIZE=16 \
            MAX_POOL_SIZE=64 TIER_FREE_CONCURRENT_JOBS=64 MAX_TOTAL_SANDBOXES=300
        key=$(make_key)
        echo "runtime.$rt.warm_job_ms=$(bench latency "$BASE" "$key" "$(n 500 50)")" >>"$out"
        echo "runtime.$rt.jobs_per_s_16_clients=$(bench throughput "$BASE" "$key" "$(n 2000 200)" 16)" >>"$out"
        stop_server
        boxq_log "runtime=$rt: cold start and idle memory"
        start_server "rt-cold-$rt" ALLOWED_RUNTIMES=runc,runsc SANDBOX_RUNTIME=$rt POOL_SIZE=0 MIN_POOL_SIZE=0 \
            MAX_POOL_SIZE=80 REBALANCE_INTERVAL_SECONDS=3600 MAX_TOTAL_SANDBOXES=300
        key=$(make_key)
        echo "runtime.$rt.cold_start_ms=$(bench sandboxes "$BASE" "$key" "$(n 20 5)")" >>"$out"
        held=$(bench hold "$BASE" "$key" "$(n 20 5)" 4)
        sleep 5 # let the sandboxes settle into idle
        echo "runtime.$rt.idle_memory=$(python3 bench/cost.py memory "bench-rt-cold-$rt-$$")" >>"$out"
        echo "runtime.$rt.idle_hold=$held" >>"$out"
        stop_server
    done
    python3 bench/runtimes.py "$out"
    boxq_log "wrote runtime.* to bench/results.json and the runtime table to docs/benchmarks.md"
}
if [[ "$only" == runtimes ]]; then
    bench_runtimes
    exit 0
fi

results=bench/tmp/results.partial
[[ -n "$only" ]] && results=bench/tmp/$only.partial
: >"$results"
put() { echo "$1=$2" >>"$results"; }

# What acknowledged writes cost (REDIS_WAIT_REPLICAS): a replica of the bench's Redis on loopback,
# then the same latency and throughput runs against a server with WAIT 0 and one with WAIT 1.
measure_redis_wait() {
    local port w key lat thr
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir bench/tmp \
        --replicaof 127.0.0.1 "$BENCH_REDIS_PORT" >bench/tmp/replica.log 2>&1 &
    bench_replica_pid=$!
    for _ in $(seq 1 300); do
        redis-cli -p "$port" info replication 2>/dev/null | grep -q '^master_link_status:up' && break
        kill -0 "$bench_replica_pid" 2>/dev/null || boxq_die "the replica exited (bench/tmp/replica.log)"
        sleep 0.1
    done
    redis-cli -p "$port" info replication | grep -q '^master_link_status:up' || boxq_die "the replica did not sync"
    put "redis_wait.command" "$(python3 -c 'import sys, json; print(json.dumps(sys.argv[1]))' "$COMMAND")"
    put "redis_wait.load_at_start" "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    for w in 0 1; do
        boxq_log "REDIS_WAIT_REPLICAS=$w (one replica on 127.0.0.1:$port): latency and throughput"
        start_server "wait-$w" RUNNER=$CANDIDATE POOL_SIZE=20 MIN_POOL_SIZE=20 MAX_POOL_SIZE=64 \
            TIER_FREE_CONCURRENT_JOBS=64 MAX_TOTAL_SANDBOXES=300 REDIS_WAIT_REPLICAS=$w
        key=$(make_key)
        lat=$(bench latency "$BASE" "$key" "$(n 500 100)")
        thr=$(bench throughput "$BASE" "$key" "$(n 4000 500)" 16)
        put "redis_wait.wait_$w" "{\"latency\": $lat, \"throughput\": $thr}"
        stop_server
    done
    stop_bench_replica
}
if [[ "$only" == redis_wait ]]; then
    measure_redis_wait
    python3 bench/redis_wait.py merge "$results"
    boxq_log "updated redis_wait in bench/results.json and docs/benchmarks.md"
    exit 0
fi
# What a sandbox's own operations take (bench/sandbox_ops.py): pause and resume of an idle sandbox,
# then snapshots and forks of a 10 MiB workspace (bench/copies.py).
measure_sandbox_ops() {
    local key pause_resume out op
    put "sandbox_ops.command" "$(python3 -c 'import sys, json; print(json.dumps(sys.argv[1]))' "$COMMAND")"
    put "sandbox_ops.load_at_start" "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    boxq_log "pause and resume of a sandbox (runner=$CANDIDATE)"
    start_server pause RUNNER=$CANDIDATE POOL_SIZE=2 MIN_POOL_SIZE=2 MAX_POOL_SIZE=8
    key=$(make_key)
    pause_resume=$(python3 - "$BASE" "$key" "$(n 50 10)" <<'PY'
import json, sys, time, urllib.request
base, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def post(path, body=b"{}", method="POST"):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=90) as r:
        return json.loads(r.read() or b"null")
sbx = post("/v1/sandboxes", b'{"ttl_s": 600}')["id"]
took = {"pause": [], "resume": []}
for _ in range(n):
    for op, state in (("pause", "paused"), ("resume", "ready")):
        t = time.perf_counter()
        assert post(f"/v1/sandboxes/{sbx}/{op}")["state"] == state
        took[op].append((time.perf_counter() - t) * 1000)
post(f"/v1/sandboxes/{sbx}", None, "DELETE")
def stats(ms):
    ms.sort(); q = lambda p: ms[min(len(ms) - 1, int(p * len(ms) + 0.999) - 1)]
    return {"n": len(ms), "p50": round(q(.5), 2), "p90": round(q(.9), 2), "p99": round(q(.99), 2)}
print(json.dumps({op: stats(ms) for op, ms in took.items()}))
PY
    )
    for op in pause resume; do
        put "${op}_ms" "$(python3 -c 'import sys, json; print(json.dumps(json.load(sys.stdin)[sys.argv[1]]))' "$op" <<<"$pause_resume")"
    done
    stop_server

    boxq_log "snapshots and forks of a 10 MiB workspace"
    start_server copies POOL_SIZE=5 MIN_POOL_SIZE=5 MAX_POOL_SIZE=40 SNAPSHOT_DIR="$PWD/bench/tmp/snapshots"
    key=$(make_key)
    out=$(python3 bench/copies.py "$BASE" "$key" "$(n 20 5)")
    put "snapshot_ms" "$(echo "$out" | python3 -c 'import sys, json; print(json.dumps(json.load(sys.stdin)["snapshot_ms"]))')"
    put "fork_ms" "$(echo "$out" | python3 -c 'import sys, json; print(json.dumps(json.load(sys.stdin)["fork_ms"]))')"
    stop_server
}
if [[ "$only" == sandbox_ops ]]; then
    measure_sandbox_ops
    python3 bench/sandbox_ops.py merge "$results"
    boxq_log "updated pause_ms, resume_ms, snapshot_ms and fork_ms in bench/results.json and docs/benchmarks.md"
    exit 0
fi

# What else was running: the 1, 5 and 15 minute load averages before the first server starts.
put "load_at_start" "\"$(cut -d' ' -f1-3 /proc/loadavg)\""

put "command" "$(python3 -c 'import sys, json; print(json.dumps(sys.argv[1]))' "$COMMAND")"
put "runners" "$(python3 -c 'import sys, json; print(json.dumps(sys.argv[1:]))' "${RUNNERS[@]}")"
put "candidate" "\"$CANDIDATE\""

for runner in "${RUNNERS[@]}"; do
    [[ "$only" == cost ]] && break
    boxq_log "runner=$runner: latency and throughput (CPU quota $CPU %)"
    start_server "$runner" RUNNER=$runner POOL_SIZE=20 MIN_POOL_SIZE=20 MAX_POOL_SIZE=64 \
        TIER_FREE_CONCURRENT_JOBS=64 MAX_TOTAL_SANDBOXES=300
    key=$(make_key)
    if [[ $runner != exec ]]; then lat=$(n 1000 100) jobs=$(n 10000 500); else lat=$(n 200 30) jobs=$(n 400 60); fi
    out=$(bench latency "$BASE" "$key" "$lat")
    put "warm_job_ms.$runner" "$out"
    out=$(bench throughput "$BASE" "$key" "$jobs" 16)
    put "jobs_per_s_16_clients.$runner" "$out"
    stop_server
done

# What one job costs, per runner, with a whole core per container: COST_JOBS `echo hi` jobs from 16
# clients, read from outside the processes (bench/cost.py) right before and after them; beforehand
# a quiet interval as long as the run is expected to be, with no jobs, for the idle baseline.
snap() { # PREFIX PHASE
    python3 bench/cost.py snapshot --redis-port "$BENCH_REDIS_PORT" --jvm-pid "$server_pid" --prefix "$1" "$2"
}
# Waits until node $1 has had the same number of containers for 3 s (the pool is refilled), at most 60 s.
settle_pool() {
    local last=-1 same=0 c
    for _ in $(seq 1 120); do
        c=$(docker ps -q --filter "label=boxq.node=$1" | wc -l)
        if [[ $c == "$last" ]]; then
            same=$((same + 1))
            ((same >= 6)) && return 0
        else
            same=0 last=$c
        fi
        sleep 0.5
    done
    boxq_log "node $1 still changes its containers (now $c); measuring anyway"
}
for runner in "${RUNNERS[@]}"; do
    boxq_log "runner=$runner: cost per job over $COST_JOBS jobs, 16 clients, whole core"
    # The pool is fixed at 64 (warmed at start, never grown): a container started while the jobs
    # run would put its start-up (runc, a shim, the agent) into the engine CPU and pids per job.
    start_server "cost-$runner" RUNNER=$runner CPU_QUOTA_PERCENT=100 POOL_SIZE=64 MIN_POOL_SIZE=64 \
        MAX_POOL_SIZE=64 TIER_FREE_CONCURRENT_JOBS=64 MAX_TOTAL_SANDBOXES=300
    key=$(make_key)
    # warm-up (the JIT compiles the job path over thousands of jobs: measured with fewer, a third of
    # the JVM's CPU was the compiler's); its rate sets the length of the quiet interval
    if [[ $runner != exec ]]; then warm_jobs=$(n 8000 1000); else warm_jobs=$(n 100 30); fi
    warm=$(bench throughput "$BASE" "$key" "$warm_jobs" 16)
    secs=$(python3 -c "import sys, json; r = json.loads(sys.argv[1])['jobs_per_s']; print(round(min(600, max(5, $COST_JOBS / max(r, 0.1))), 1))" "$warm")
    boxq_log "runner=$runner: quiet interval of $secs s (no jobs)"
    settle_pool "bench-cost-$runner-$$"
    snap "bench/tmp/cost-$runner-idle-" before
    sleep "$secs"
    snap "bench/tmp/cost-$runner-idle-" after
    hook="python3 bench/cost.py snapshot --redis-port $BENCH_REDIS_PORT --jvm-pid $server_pid --prefix bench/tmp/cost-$runner-run-"
    out=$(bench throughput "$BASE" "$key" "$COST_JOBS" 16 "$hook")
    put "cost_run.$runner" "$out"
    run_secs=$(json_get '["seconds"]' <<<"$out")
    put "cost_per_job.$runner" "$(python3 bench/cost.py diff "bench/tmp/cost-$runner-run-before.json" "bench/tmp/cost-$runner-run-after.json" "$COST_JOBS")"
    put "cost_idle.$runner" "$(python3 bench/cost.py idle "bench/tmp/cost-$runner-idle-before.json" "bench/tmp/cost-$runner-idle-after.json" "$COST_JOBS" "$run_secs")"
    if [[ $JFR == 1 && $runner != exec ]]; then
        boxq_log "runner=$runner: JDK Flight Recorder over another $COST_JOBS jobs"
        jfr_file="$PWD/bench/tmp/$runner.jfr"
        rm -f "$jfr_file"
        # settings=profile samples Java code every 10 ms; JDK 25's CPU-time sampler (JEP 509) also
        # sees native code and system calls
        "$JAVA_HOME/bin/jcmd" "$server_pid" JFR.start name=bench settings=profile filename="$jfr_file" \
            'jdk.CPUTimeSample#enabled=true' 'jdk.CPUTimeSample#throttle=10ms' >"bench/tmp/$runner-jcmd.txt"
        out=$(bench throughput "$BASE" "$key" "$COST_JOBS" 16)
        "$JAVA_HOME/bin/jcmd" "$server_pid" JFR.stop name=bench >>"bench/tmp/$runner-jcmd.txt"
        for view in hot-methods cpu-time-hot-methods; do
            "$JAVA_HOME/bin/jfr" view --width 200 "$view" "$jfr_file"
        done >"bench/tmp/$runner-hot.txt"
        put "jfr.$runner" "$(python3 bench/hot.py "$jfr_file" "$out")"
    fi
    stop_server
done
if [[ "$only" == cost ]]; then
    boxq_log "cost figures in $results"
    exit 0
fi

boxq_log "runner=$CANDIDATE, no CPU quota: latency"
start_server "$CANDIDATE-q100" RUNNER=$CANDIDATE CPU_QUOTA_PERCENT=100 POOL_SIZE=4 MIN_POOL_SIZE=4 MAX_POOL_SIZE=8
key=$(make_key)
put "warm_job_ms.full_core" "$(bench latency "$BASE" "$key" "$(n 1000 100)")"
stop_server

boxq_log "the agent alone over its socket against an attached docker exec stream (no HTTP, Redis or Java)"
musl-gcc -static -Os -s -o bench/tmp/boxq-agent executor/src/main/c/boxq-agent.c
put "transport_floor" "$(python3 bench/transport_floor.py "$PWD/bench/tmp/boxq-agent" "$IMAGE" "$(n 1000 200)")"

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

measure_sandbox_ops

boxq_log "$IDLE_N idle sandboxes (runner=$CANDIDATE)"
# (the pool's own warm-ups count against MAX_POOL_SIZE while they start: room for them)
start_server idle POOL_SIZE=10 MIN_POOL_SIZE=3 MAX_POOL_SIZE=$((IDLE_N + 100)) \
    MAX_TOTAL_SANDBOXES=$((IDLE_N + 150)) RUNNER=$CANDIDATE
key=$(make_key $((IDLE_N + 50)))
used_before=$(free -m | awk '/^Mem:/ {print $3}')
held=$(bench hold "$BASE" "$key" "$IDLE_N" 8)
boxq_log "holding: $held"
sleep 5 # the pool's refill after the last creates
used_after=$(free -m | awk '/^Mem:/ {print $3}')
memory=$(python3 bench/cost.py memory "bench-idle-$$")
out=$(bench latency "$BASE" "$key" "$(n 500 50)")
put "idle" "{\"requested\": $IDLE_N, \"hold\": $held, \"memory\": $memory, \"host_used_delta_mib\": $((used_after - used_before)), \"job\": $out}"
stop_server

measure_redis_wait

python3 bench/report.py "$results" "$IMAGE" "$CPU" "$quick"
boxq_log "wrote bench/results.json and docs/benchmarks.md"
bench_runtimes
