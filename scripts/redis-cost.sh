#!/usr/bin/env bash
# redis-cost.sh [--jobs N] [--port P] [--redis-port R]: Redis commands and client round trips
# per plain `echo hi` job (submit, then GET ?wait=30), counted the way INFO commandstats counts
# them (commands inside Lua scripts included, EVALSHA itself as one).
#
# Starts one all-in-one server of server/target/boxq.jar on its own key prefix against the
# Redis at 127.0.0.1:$R (the test Redis by default; it may be shared: nothing is reset there),
# warms it up, then reads INFO commandstats before and after N sequential jobs and once more
# over an idle interval of the same length (heartbeats, Quartz tasks, the long-poll safety net),
# and prints per-job figures with the idle share taken off. Then one more job under MONITOR: its
# top-level commands (round trips, as no pipeline is on this path) and the count of those made
# inside scripts. (INFO stats' total_commands_processed counts script calls too, so it cannot tell
# round trips; server/src/test/.../cost/RedisBudgetIT counts them over many jobs on a private Redis.)
# It also prints Redis CPU per job (INFO cpu): exact only on a Redis nobody else uses.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=200 port=18099 rport=6390
while [[ $# -gt 0 ]]; do
    case $1 in
        --jobs) jobs=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --redis-port) rport=$2; shift 2 ;;
        *) echo "usage: $0 [--jobs N] [--port P] [--redis-port R]" >&2; exit 2 ;;
    esac
done
jar=server/target/boxq.jar
[[ -f $jar ]] || { echo "build first: ./mvnw -B -ntp -q -DskipTests package" >&2; exit 1; }
admin=cost-admin-$$
prefix="cost-$$:"
base=http://127.0.0.1:$port
mkdir -p target
log=target/redis-cost-$$.log
env PORT=$port BOXQ_ADMIN_KEY=$admin BOXQ_REDIS_PREFIX=$prefix WORKER_ID=cost-$$ \
    REDIS_URL=redis://127.0.0.1:$rport RUNNER=${RUNNER:-exec} POOL_SIZE=2 MIN_POOL_SIZE=2 MAX_POOL_SIZE=4 \
    java -jar "$jar" >"$log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    redis-cli -p "$rport" --scan --pattern "${prefix}*" | xargs -r -n 500 redis-cli -p "$rport" del >/dev/null
}
trap cleanup EXIT
for _ in $(seq 1 240); do
    curl -fsS "$base/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
done
key=$(curl -fsS -X POST "$base/v1/keys" -H "Authorization: Bearer $admin" \
    -d '{"user": "cost", "tier": "free", "requests_per_minute": 100000000}' |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["key"])')

python3 - "$base" "$key" "$jobs" "$rport" <<'PY'
import json, subprocess, sys, time, urllib.request
base, key, n, rport = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
H = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}

def call(method, path, body=None):
    req = urllib.request.Request(base + path, data=body, headers=H, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

def job():
    j = call("POST", "/v1/jobs", b'{"command": "echo hi"}')
    r = call("GET", "/v1/jobs/%s?wait=30" % j["id"])
    assert r["state"] == "succeeded", r

def stats():
    out = subprocess.run(["redis-cli", "-p", rport, "INFO", "commandstats"], capture_output=True, text=True).stdout
    calls = {}
    for line in out.splitlines():
        if line.startswith("cmdstat_"):
            name, rest = line[8:].split(":", 1)
            calls[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
    return calls

def cpu():
    out = subprocess.run(["redis-cli", "-p", rport, "INFO", "cpu"], capture_output=True, text=True).stdout
    v = dict(l.split(":", 1) for l in out.split() if ":" in l)
    return float(v["used_cpu_sys"]) + float(v["used_cpu_user"])

def diff(a, b):
    return {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if b.get(k, 0) != a.get(k, 0)}

for _ in range(30):
    job()
s0 = stats(); c0 = cpu(); t0 = time.monotonic()
for _ in range(n):
    job()
elapsed = time.monotonic() - t0
s1 = stats(); c1 = cpu()
time.sleep(elapsed)
s2 = stats(); c2 = cpu()
busy, idle = diff(s0, s1), diff(s1, s2)
print("%d jobs in %.1f s (the idle interval after them equally long); per job:" % (n, elapsed))
rows = sorted(set(busy) | set(idle), key=lambda k: -(busy.get(k, 0) - idle.get(k, 0)))
total = 0.0
for k in rows:
    v = (busy.get(k, 0) - idle.get(k, 0)) / n
    total += v
    if abs(v) >= 0.005:
        print("  %-18s %7.2f   (idle share %.2f)" % (k, v, idle.get(k, 0) / n))
print("total commands per job: %.2f" % total)
scripts = sum(busy.get(k, 0) - idle.get(k, 0) for k in ("evalsha", "eval", "fcall"))
print("script calls (EVALSHA) per job: %.2f" % (scripts / n))
print("Redis CPU per job (used_cpu_sys + used_cpu_user, idle share taken off; the whole Redis, so use"
      " a private one): %.0f us (idle share %.0f us)" % (((c1 - c0) - (c2 - c1)) / n * 1e6, (c2 - c1) / n * 1e6))
PY

# One more job under MONITOR: every command of this prefix, "lua" marking those made inside a
# script; the others are what the server's connections sent (a pipeline's commands arrive together).
mon=target/redis-cost-$$.monitor
timeout 20 redis-cli -p "$rport" MONITOR >"$mon" &
mpid=$!
sleep 0.5
python3 - "$base" "$key" <<'PY'
import json, sys, urllib.request
base, key = sys.argv[1], sys.argv[2]
H = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
req = urllib.request.Request(base + "/v1/jobs", data=b'{"command": "echo hi"}', headers=H, method="POST")
j = json.load(urllib.request.urlopen(req))
json.load(urllib.request.urlopen(urllib.request.Request(base + "/v1/jobs/%s?wait=30" % j["id"], headers=H)))
PY
sleep 0.3
kill "$mpid" 2>/dev/null; wait "$mpid" 2>/dev/null || true
echo "one job under MONITOR (top-level commands, then those inside scripts):"
grep -F "$prefix" "$mon" | grep -v ' lua\]' | sed -E 's/^[0-9.]+ \[[0-9]+ ([^]]+)\] /\1 /' | cut -c1-160 | grep -v 'XAUTOCLAIM\|"node:\|heartbeat' || true
echo "top-level: $(grep -F "$prefix" "$mon" | grep -vc ' lua\]')  inside scripts: $(grep -F "$prefix" "$mon" | grep -c ' lua\]')"
rm -f "$mon"
