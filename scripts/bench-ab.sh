#!/usr/bin/env bash
# What a change does to the cost of a job, measured the way that holds up on a shared machine: both
# versions in one session, in turn. Builds the jar of each ref (a git worktree under bench/tmp/ab,
# removed again), then runs `scripts/bench.sh --only cost` with each, ROUNDS times (A B A B ...),
# and prints each run's per-job figures and each side's median (also in bench/tmp/ab.md). The CPU
# figures of two bench runs an hour apart can differ by more than a change moves them; these can
# be compared.
# Usage: scripts/bench-ab.sh REF_A REF_B [ROUNDS]   (ROUNDS: 3)
# Environment: BENCH_RUNNERS (here: agent) and BENCH_COST_JOBS (2000), as for scripts/bench.sh.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
BOXQ_LOG_PREFIX="bench-ab"
usage="usage: scripts/bench-ab.sh REF_A REF_B [ROUNDS]"
ref_a=${1:?$usage}
ref_b=${2:?$usage}
rounds=${3:-3}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || boxq_die "ROUNDS is a number from 1 to 99, not $rounds"
export BENCH_RUNNERS=${BENCH_RUNNERS:-agent}
mkdir -p bench/tmp/ab

worktree=""
trap '[[ -z $worktree ]] || git worktree remove --force "$worktree" >/dev/null 2>&1 || true' EXIT

# jar_of REF: sets jar to the server jar built from REF (kept under bench/tmp/ab by commit, built
# once; in this shell, so that the EXIT trap removes a worktree a failed build left)
jar_of() {
    local sha
    sha=$(git rev-parse --verify --short=12 "$1^{commit}") || boxq_die "not a commit: $1"
    jar=bench/tmp/ab/$sha.jar
    if [[ ! -f $jar ]]; then
        worktree=bench/tmp/ab/worktree-$sha
        boxq_log "building the jar of $1 ($sha)"
        git worktree add --detach --force "$worktree" "$sha"
        (cd "$worktree" && ./mvnw -B -ntp -q -DskipTests -pl server -am package) ||
            boxq_die "the jar of $1 did not build"
        cp "$worktree/server/target/boxq.jar" "$jar.partial"
        mv "$jar.partial" "$jar"
        git worktree remove --force "$worktree"
        worktree=""
    fi
}
jar_of "$ref_a"
jar_a=$jar
jar_of "$ref_b"
jar_b=$jar

runs=bench/tmp/ab/runs.txt
: >"$runs"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
    for side in A B; do
        if [[ $side == A ]]; then jar=$jar_a ref=$ref_a; else jar=$jar_b ref=$ref_b; fi
        boxq_log "round $round of $rounds: $side ($ref)"
        BENCH_JAR=$jar scripts/bench.sh --only cost >"bench/tmp/ab/run-$round-$side.log" 2>&1 ||
            boxq_die "the cost run failed: bench/tmp/ab/run-$round-$side.log"
        figures=$(grep -E '^cost_(per_job|run)\.' bench/tmp/cost.partial) ||
            boxq_die "no cost figures in bench/tmp/cost.partial (bench/tmp/ab/run-$round-$side.log)"
        sed "s/^/$round $side /" <<<"$figures" >>"$runs"
    done
done

python3 - "$runs" "$ref_a" "$ref_b" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY' | tee bench/tmp/ab.md
import json, statistics, sys
runs, ref_a, ref_b, load_start, load_end = sys.argv[1:6]
fields = [("jvm_cpu_us", "JVM CPU µs"), ("redis_cpu_us", "Redis CPU µs"), ("redis_cmds", "Redis commands"),
          ("redis_round_trips", "round trips"), ("engine_cpu_us", "engine CPU µs"), ("processes", "host pids"),
          ("jobs_per_s", "jobs/s")]
rows = {"A": [], "B": []}
throughput = {}  # (round, side, runner) -> jobs/s of the cost run
print(f"Per `echo hi` job, `scripts/bench-ab.sh {ref_a} {ref_b}`; A = {ref_a}, B = {ref_b}; "
      f"load average at the start {load_start}, at the end {load_end}.\n")
print("| run | runner | " + " | ".join(name for _, name in fields) + " |")
print("|---|---|" + "---|" * len(fields))
lines = [line.rstrip("\n").split(" ", 2) for line in open(runs)]  # round, side, cost_<kind>.<runner>=<json>
for round_, side, item in lines:
    name, _, value = item.partition("=")
    if name.startswith("cost_run."):
        throughput[(round_, side, name.split(".", 1)[1])] = json.loads(value)["jobs_per_s"]
for round_, side, item in lines:
    name, _, value = item.partition("=")
    if not name.startswith("cost_per_job."):
        continue
    runner = name.split(".", 1)[1]
    cost = dict(json.loads(value), jobs_per_s=throughput[(round_, side, runner)])
    rows[side].append((runner, cost))
    print(f"| {round_} {side} | {runner} | " + " | ".join(str(cost[f]) for f, _ in fields) + " |")
for side, ref in (("A", ref_a), ("B", ref_b)):
    for runner in sorted({r for r, _ in rows[side]}):
        costs = [c for r, c in rows[side] if r == runner]
        medians = [statistics.median(c[f] for c in costs) for f, _ in fields]
        print(f"| median {side} ({ref}) | {runner} | " + " | ".join(f"{m:g}" for m in medians) + " |")
PY
