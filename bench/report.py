"""Turns the raw lines of scripts/bench.sh into bench/results.json and docs/benchmarks.md."""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

raw_file, image, cpu, quick = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
raw = {}
for line in open(raw_file):
    name, _, value = line.strip().partition("=")
    raw[name] = json.loads(value)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return "?"


refill_line = raw["refill"]["line"]
m = re.search(r"warmed (\d+) containers in (\d+) ms", refill_line)
refill = round(int(m.group(1)) / (int(m.group(2)) / 1000), 1) if m else None
pick = lambda d: {k: d[k] for k in ("p50", "p90", "p99")}
results = {
    "warm_job_ms": {"runner": pick(raw["warm_job_ms.shell"]), "exec": pick(raw["warm_job_ms.exec"])},
    "jobs_per_s_16_clients": {"runner": raw["jobs_per_s_16_clients.shell"]["jobs_per_s"],
                              "exec": raw["jobs_per_s_16_clients.exec"]["jobs_per_s"]},
    "warm_handout_ms": pick(raw["warm_handout_ms"]),
    "cold_start_ms": pick(raw["cold_start_ms"]),
    "refill_per_s": refill,
    "idle_200": {"held": raw["idle_200"]["held"], "submit_p99_ms": raw["idle_200"]["submit"]["p99"],
                 "submit_p50_ms": raw["idle_200"]["submit"]["p50"],
                 "used_memory_mib": raw["idle_200"]["used_memory_mib"]},
    "docker_exec_cli_ms": pick(raw["docker_exec_cli_ms"]),
    "warm_job_ms_full_core": {"runner": pick(raw["warm_job_ms.shell_full_core"])},
    "runner_floor": raw["runner_floor"],
    "setup": {"key_tier": "free (256 MiB), concurrent_jobs overridden to 64, rate limit lifted",
              "cpu_quota_percent": cpu, "image": image, "quick": quick,
              "failed_jobs": {"runner": raw["jobs_per_s_16_clients.shell"]["failed"],
                              "exec": raw["jobs_per_s_16_clients.exec"]["failed"]}},
}
speedup = results["warm_job_ms"]["exec"]["p50"] / results["warm_job_ms"]["runner"]["p50"]
results["runner_speedup_p50"] = round(speedup, 1)
os.makedirs("bench", exist_ok=True)
with open("bench/results.json", "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")

w, e = results["warm_job_ms"]["runner"], results["warm_job_ms"]["exec"]
fc = results["warm_job_ms_full_core"]["runner"]
fl = results["runner_floor"]
ic = fl["in_container_ms"]
t = results["jobs_per_s_16_clients"]
i = results["idle_200"]
ok = lambda good: "met" if good else "**missed**"
rows = [
    ("warm job p50 / p99, runner (HTTP submit → result, `echo hi`, 1 client)", f"{w['p50']} / {w['p99']} ms", "≤ 3 / ≤ 15 ms", ok(w["p50"] <= 3 and w["p99"] <= 15)),
    ("warm job p50 / p99, docker exec path (same run)", f"{e['p50']} / {e['p99']} ms", "(baseline)", ""),
    ("warm job p50 / p99, runner, containers with a whole core (`CPU_QUOTA_PERCENT=100`)", f"{fc['p50']} / {fc['p99']} ms", "", ""),
    ("runner alone over the attach stream, no HTTP/Redis/Java: p50 / p99, no quota", f"{fl['runner_no_quota_ms']['p50']} / {fl['runner_no_quota_ms']['p99']} ms", "", ""),
    ("runner alone, 25 % quota: p50 / p90 / p99", f"{fl['runner_quota_25_ms']['p50']} / {fl['runner_quota_25_ms']['p90']} / {fl['runner_quota_25_ms']['p99']} ms", "", ""),
    (f"inside the container: `( exec setsid {fl['shell']} -c 'echo hi' )` / `head -c` / `( : )`", f"{ic['setsid_shell_c']} / {ic['head_c']} / {ic['subshell']} ms", "", ""),
    ("plain `docker exec echo hi` from the CLI (same run)", f"{results['docker_exec_cli_ms']['p50']} / {results['docker_exec_cli_ms']['p99']} ms", "(baseline)", ""),
    ("runner vs exec path, p50", f"{results['runner_speedup_p50']}×", "≥ 20×", ok(speedup >= 20)),
    ("jobs/s, 16 clients, runner", f"{t['runner']}", "≥ 1,000", ok(t["runner"] >= 1000)),
    ("jobs/s, 16 clients, docker exec path", f"{t['exec']}", "(baseline)", ""),
    ("sandbox from the warm pool, p50 (POST /v1/sandboxes)", f"{results['warm_handout_ms']['p50']} ms", "≤ 10 ms", ok(results["warm_handout_ms"]["p50"] <= 10)),
    ("cold sandbox (pool empty), p50", f"{results['cold_start_ms']['p50']} ms", "≤ 300 ms", ok(results["cold_start_ms"]["p50"] <= 300)),
    ("pool refill (start-up warm-up)", f"{refill} containers/s", "≥ 7/s", ok(refill is not None and refill >= 7)),
    (f"{i['held']} idle sandboxes held: submit p99", f"{i['submit_p99_ms']} ms", "≤ 20 ms", ok(i["submit_p99_ms"] <= 20)),
    (f"{i['held']} idle sandboxes held: host memory used", f"{i['used_memory_mib']} MiB", "~4 MiB each", ""),
]
machine = {
    "cpus": os.cpu_count(), "memory": sh("free -g | awk '/^Mem:/ {print $2 \" GiB\"}'"),
    "kernel": platform.release(), "docker": sh("docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'"),
    "java": sh("java -version 2>&1 | head -n1"), "redis": sh("redis-server --version | awk '{print $3}'"),
    "load": raw.get("load_at_start", "?").replace(" ", " / "),
}
md = ["# boxq benchmarks", "",
      f"Measured {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')} with `scripts/bench.sh{' --quick' if quick else ''}`"
      " (it starts its own servers and Redis; both runner paths in one run). Raw numbers: `bench/results.json`.", "",
      f"Machine: {machine['cpus']} cores, {machine['memory']}, kernel {machine['kernel']}, Docker {machine['docker']},"
      f" {machine['java']}, Redis {machine['redis']}. Load average before the run started (1 / 5 / 15 min):"
      f" {machine['load']} (2 cores: a 1-minute figure well above 2 means other work, or the tail of an earlier"
      " run, shared the machine at first).", "",
      f"Every figure: a **free-tier key** (256 MiB containers) with its concurrency raised to 64 and its rate limit lifted,"
      f" **CPU quota {cpu} %** of one core per container, image **`{image}`**, network none, all-in-one server on the same machine"
      " as the load generator (`bench/Bench.java`, JDK HttpClient).", "",
      "| measure | result | target | |", "|---|---|---|---|"]
md += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
md += ["", "## Notes", "",
       "- The load generator, the server, Redis and the containers share the same 2 cores, so throughput is bounded by"
       " the machine, not by one component; the shared machine is noisy, compare the two paths of the same run.",
       "- `jobs/s` counts complete round trips: submit, then a long-poll GET until the result (two HTTP requests per job).",
       "- Each latency run starts after min(500, N) unmeasured jobs of the same kind on the same server, so the figures"
       " are a warmed-up server's (the JIT compiles the request path over the first few hundred requests; measured"
       " by hand, a fresh server's submit takes 4.9 ms at p50 and 2.8 ms after 600 of them).",
       f"- Jobs that did not succeed in the throughput runs: runner {results['setup']['failed_jobs']['runner']}, exec {results['setup']['failed_jobs']['exec']}.",
       "",
       "## Where the time goes, and why targets are missed",
       "",
       f"- **The floor is the command's own processes.** Every job runs its command as a new process group under"
       f" `{fl['shell']} -c` (DESIGN.md §5): inside the container, forking, `setsid` and starting the shell cost"
       f" {ic['setsid_shell_c']} ms, reading the captured output back with `head -c` {ic['head_c']} ms, on this machine's"
       f" VM kernel. The runner alone, over the attach stream with nothing of boxq around it, answers in"
       f" {fl['runner_no_quota_ms']['p50']} ms (p50). The 0.3–1.1 ms of ENVIRONMENT.md was a long-lived shell running a"
       " builtin, with no process per command; boxq will not give up the process group (it is what makes timeouts, kills"
       " and cancellation reach background children), so a 3 ms p50 over HTTP and Redis is out of reach here. Running the"
       " command inside a forked subshell of a bash runner (no `exec`) would save about one of those milliseconds; it is"
       " the next thing to try.",
       f"- **The CPU quota shapes the tail.** A free-tier container gets {cpu} % of a core (25 ms of CPU per 100 ms"
       f" period). Back-to-back commands in one container use more than that, and the kernel throttles the container"
       f" until the next period: the runner alone goes from p90 {fl['runner_no_quota_ms']['p90']} ms without a quota to"
       f" p90 {fl['runner_quota_25_ms']['p90']} ms with it. That is the quota doing its job (no key starves the"
       " others). With a whole core per container the HTTP round trip is"
       f" {fc['p50']} / {fc['p99']} ms (p50 / p99).",
       "- **Measured inside a run** (2026-11-29, by hand: 300 `echo hi` jobs on one whole-core container, the server"
       " instrumented with timers that were not committed): from `started_at` the job takes its container in 0.24 ms"
       " and its result is stored in 1.9 ms; the runner call itself is 9.3 ms at p50, of which 5.6 ms until the answer's"
       " first line and 1.2 ms reading its bodies. Turning the live-output pump off (the process the runner forks per"
       " job so `GET /v1/jobs/{id}/events` can stream) saved 2–4 ms at p50 in the same run. The pump matters only for a"
       " job that outlives its first tick (100 ms); starting it lazily at that tick needs the runner's main shell to"
       " wake from `wait` on a signal, and a command run in the background by a shell without job control gets SIGINT"
       " ignored (dash cannot reset that), which would change what commands see. It was left for a design that keeps"
       " the command's signals as they are.",
       f"- **boxq's own share** is the rest: about {round(fc['p50'] - fl['runner_no_quota_ms']['p50'], 1)} ms at p50"
       " between the full-core HTTP round trip and the runner alone: the submit, the stream read, the job's start and"
       " result scripts, the completion message and the long-poll answer, a handful of Redis round trips and thread"
       " hand-offs, on two cores that also run the load generator and Redis.",
       "- **Throughput** is bounded by the two cores: each job costs the container a few ms of CPU (above) plus the"
       " server's HTTP, Redis and Docker-stream work and the load generator's, all on the same two cores.",
       "- **200 idle sandboxes:** while they are held, the resource monitor samples every sandbox every"
       " `RESOURCE_MONITOR_INTERVAL_SECONDS` (15) through its runner (a stats script: a few processes each), and"
       " those passes share the two cores with the measured submits.",
       "- **Warm hand-out** (`POST /v1/sandboxes`) is a Redis reservation (Lua), a request to the node through its"
       " stream, the node taking a container from the pool and recording the sandbox, and the answer back: several Redis"
       " round trips and two thread hand-offs, each paying for the shared machine.",
       ""]
with open("docs/benchmarks.md", "w") as f:
    f.write("\n".join(md))
print(json.dumps(results, indent=2))
