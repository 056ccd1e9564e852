"""Turns the raw lines of scripts/bench.sh into bench/results.json and docs/benchmarks.md.

    python3 bench/report.py RAW IMAGE CPU_QUOTA QUICK(0|1)

The "before" JVM profile (bench/jfr-before.json, committed) is copied into the page as it is, so
later runs can show their own profile beside it.
"""
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


runners = raw["runners"]
cand = raw["candidate"]
by_runner = lambda prefix, f=lambda v: v: {r: f(raw[f"{prefix}.{r}"]) for r in runners if f"{prefix}.{r}" in raw}
refill_line = raw["refill"]["line"]
m = re.search(r"warmed (\d+) containers in (\d+) ms", refill_line)
refill = round(int(m.group(1)) / (int(m.group(2)) / 1000), 1) if m else None
pick = lambda d: {k: d[k] for k in ("p50", "p90", "p99")}

# cost per job: the five figures the issue names first, then what explains them
COST_KEYS = ("redis_cmds", "redis_round_trips", "redis_cpu_us", "jvm_cpu_us", "engine_cpu_us", "processes")
cost, idle_baseline = {}, {}
for r in runners:
    if f"cost_per_job.{r}" not in raw:
        continue
    c, run = raw[f"cost_per_job.{r}"], raw[f"cost_run.{r}"]
    cost[r] = {**{k: c[k] for k in COST_KEYS}, "jobs_per_s": run["jobs_per_s"], "jobs": run["jobs"],
               "clients": run["clients"], "seconds": run["seconds"], "failed": run["failed"],
               "redis_reads": c["redis_reads"], "engine_by_process_us": c["engine_by_process_us"],
               "engine_reaped_children_us": c["engine_reaped_children_us"], "shims": c["shims"],
               "redis_cmds_by_command": c["redis_cmds_by_command"]}
    i = raw[f"cost_idle.{r}"]
    idle_baseline[r] = {**{k: i[k] for k in COST_KEYS}, "seconds": i["seconds"],
                        "scaled_to_seconds": i["scaled_to_seconds"],
                        "redis_cmds_by_command": {k: v for k, v in list(i["redis_cmds_by_command"].items())[:8] if v}}

idle = raw["idle"]
idle_500 = {"held": idle["hold"]["held"], "requested": idle["requested"],
            "submit_p50_ms": idle["job"]["submit"]["p50"], "submit_p99_ms": idle["job"]["submit"]["p99"],
            "used_memory_mib": idle["memory"]["used_memory_mib"],
            "cgroup_mib": idle["memory"]["cgroup_mib"], "shim_rss_mib": idle["memory"]["shim_rss_mib"],
            "containers_measured": idle["memory"]["containers"],
            "per_container_mib": idle["memory"]["per_container_mib"],
            "job_p50_ms": idle["job"]["p50"], "job_p99_ms": idle["job"]["p99"],
            "used_memory_pss_mib": idle["memory"]["used_memory_pss_mib"],
            "shim_pss_mib": idle["memory"]["shim_pss_mib"], "shim_anon_mib": idle["memory"]["shim_anon_mib"],
            "host_used_delta_mib": idle["host_used_delta_mib"], "hold_seconds": idle["hold"]["seconds"],
            "create_retries_503": idle["hold"].get("retries_503"),
            "runner": cand}

results = {
    "command": raw["command"],
    "runners": runners,
    "candidate": cand,
    "warm_job_ms": by_runner("warm_job_ms", pick),
    "warm_job_ms_full_core": {cand: pick(raw["warm_job_ms.full_core"])},
    "jobs_per_s_16_clients": by_runner("jobs_per_s_16_clients", lambda v: v["jobs_per_s"]),
    "jobs_per_s_16_clients_full_core": {r: c["jobs_per_s"] for r, c in cost.items()},
    "cost_per_job": cost,
    "idle_baseline": idle_baseline,
    "warm_handout_ms": pick(raw["warm_handout_ms"]),
    "cold_start_ms": pick(raw["cold_start_ms"]),
    "refill_per_s": refill,
    "idle_500": idle_500,
    "docker_exec_cli_ms": pick(raw["docker_exec_cli_ms"]),
    "setup": {"key_tier": "free (256 MiB), concurrent_jobs overridden to 64, rate limit lifted",
              "cpu_quota_percent": cpu, "cost_cpu_quota_percent": 100, "image": image, "quick": quick,
              "load_at_start": raw.get("load_at_start"),
              "failed_jobs": by_runner("jobs_per_s_16_clients", lambda v: v["failed"])},
}
if "transport_floor" in raw:
    results["transport_floor"] = raw["transport_floor"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis_wait  # noqa: E402  (bench/redis_wait.py)
import sandbox_ops  # noqa: E402  (bench/sandbox_ops.py)
results.update(sandbox_ops.result(raw))
if "redis_wait.wait_1" in raw:
    results["redis_wait"] = redis_wait.result(raw)
jfr = by_runner("jfr")
if jfr:
    results["jfr"] = jfr
if "exec" in results["warm_job_ms"] and cand != "exec":
    results["runner_speedup_p50"] = round(results["warm_job_ms"]["exec"]["p50"] / results["warm_job_ms"][cand]["p50"], 1)
os.makedirs("bench", exist_ok=True)
with open("bench/results.json", "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")

# ---- docs/benchmarks.md ------------------------------------------------------------------------
ok = lambda good: "met" if good else "**missed**"
w = results["warm_job_ms"][cand]
fc = results["warm_job_ms_full_core"][cand]
t = results["jobs_per_s_16_clients"]
ex = results["warm_job_ms"].get("exec")
rows = [
    (f"warm job p50 / p99, `{cand}` runner (HTTP submit → result, `echo hi`, 1 client), {cpu} % quota", f"{w['p50']} / {w['p99']} ms", "(p99 reported)", ""),
    (f"warm job p50 / p99, `{cand}`, containers with a whole core (`CPU_QUOTA_PERCENT=100`)", f"{fc['p50']} / {fc['p99']} ms", "≤ 3 / ≤ 15 ms", ok(fc["p50"] <= 3 and fc["p99"] <= 15)),
]
for r in runners:
    if r != cand and r in results["warm_job_ms"]:
        x = results["warm_job_ms"][r]
        rows.append((f"warm job p50 / p99, `{r}` runner (same run)", f"{x['p50']} / {x['p99']} ms", "(baseline)" if r == "exec" else "", ""))
if "transport_floor" in results:
    tf = results["transport_floor"]
    a, s_ = tf["agent_socket"], tf["attach_stream"]
    rows += [
        ("`echo hi` through the agent's socket alone (no HTTP, Redis or Java), whole core: p50 / p99", f"{a['p50_ms']} / {a['p99_ms']} ms", "", ""),
        ("the same through an attached `docker exec -i sh` stream (the old runner's transport), same run", f"{s_['p50_ms']} / {s_['p99_ms']} ms", "", ""),
        ("engine CPU per command: agent socket / attach stream", f"{a['engine_cpu_us_per_cmd']} / {s_['engine_cpu_us_per_cmd']} µs", "", ""),
        ("host pids per command: agent socket / attach stream", f"{a['host_pids_per_cmd']} / {s_['host_pids_per_cmd']}", "", ""),
    ]
rows.append(("plain `docker exec echo hi` from the CLI (same run)", f"{results['docker_exec_cli_ms']['p50']} / {results['docker_exec_cli_ms']['p99']} ms", "(baseline)", ""))
if "runner_speedup_p50" in results:
    rows.append((f"`{cand}` vs exec path, p50", f"{results['runner_speedup_p50']}×", "≥ 20×", ok(results["runner_speedup_p50"] >= 20)))
for r in runners:
    if r in t:
        target = "(baseline)" if r == "exec" else "≥ 600"
        rows.append((f"jobs/s, 16 clients, `{r}`, {cpu} % quota", f"{t[r]}", target, "" if r == "exec" else ok(t[r] >= 600)))
    if r in results["jobs_per_s_16_clients_full_core"]:
        v = results["jobs_per_s_16_clients_full_core"][r]
        target = "(baseline)" if r == "exec" else "≥ 600"
        rows.append((f"jobs/s, 16 clients, `{r}`, whole core (the cost run)", f"{v}", target, "" if r == "exec" else ok(v >= 600)))
i5 = idle_500
rows += [
    ("sandbox from the warm pool, p50 (POST /v1/sandboxes)", f"{results['warm_handout_ms']['p50']} ms", "≤ 10 ms", ok(results["warm_handout_ms"]["p50"] <= 10)),
    ("cold sandbox (pool empty), p50", f"{results['cold_start_ms']['p50']} ms", "≤ 300 ms", ok(results["cold_start_ms"]["p50"] <= 300)),
    ("pool refill (start-up warm-up)", f"{refill} containers/s", "≥ 7/s", ok(refill is not None and refill >= 7)),
    (f"{i5['held']} idle sandboxes held (of {i5['requested']} asked): submit (POST /v1/jobs) p50 / p99", f"{i5['submit_p50_ms']} / {i5['submit_p99_ms']} ms", "500 held, p99 ≤ 20 ms", ok(i5["held"] >= 500 and i5["submit_p99_ms"] <= 20)),
    (f"{i5['held']} idle sandboxes held: whole job p50 / p99", f"{i5['job_p50_ms']} / {i5['job_p99_ms']} ms", "", ""),
    (f"{i5['held']} idle sandboxes held: cgroup memory + shim RSS of the node's {i5['containers_measured']} containers", f"{i5['used_memory_mib']} MiB ({i5['cgroup_mib']} + {i5['shim_rss_mib']}; {i5['per_container_mib']} MiB each)", "≤ 2.5 GiB for 500", ok(i5["held"] >= 500 and i5["used_memory_mib"] <= 2560)),
    (f"{i5['held']} idle sandboxes held: the same with the shims' PSS instead of RSS", f"{i5['used_memory_pss_mib']} MiB (shims {i5['shim_pss_mib']}, of which anonymous {i5['shim_anon_mib']})", "", ""),
]

# the cost table
cost_rows = [
    ("Redis commands (`INFO commandstats`, Lua inner calls included)", "redis_cmds", "≤ 25", lambda v: v <= 25),
    ("Redis replies written (`INFO stats` total_writes_processed: client round trips)", "redis_round_trips", "≤ 8", lambda v: v <= 8),
    ("Redis CPU, µs (`INFO cpu` used_cpu_sys + used_cpu_user)", "redis_cpu_us", "≤ 300", lambda v: v <= 300),
    ("server JVM CPU, µs (`/proc/<pid>/stat` utime + stime)", "jvm_cpu_us", "≤ 800", lambda v: v <= 800),
    ("dockerd + containerd + containerd-shim* CPU, µs (utime + stime)", "engine_cpu_us", "≤ 50", lambda v: v <= 50),
    ("pids allocated on the host (`/proc/loadavg` last pid)", "processes", "≤ 1.3", lambda v: v <= 1.3),
]
cost_runners = [r for r in runners if r in cost]
head = "| per `echo hi` job | " + " | ".join(f"`{r}`" for r in cost_runners) + " | target | `" + cand + "` vs target |"
cost_md = [head, "|---|" + "---|" * len(cost_runners) + "---|---|"]
for label, key, target, good in cost_rows:
    fmt = (lambda v: f"{v:.0f}") if key.endswith("_us") else (lambda v: f"{v}")
    cells = [f"{fmt(cost[r][key])} (idle {fmt(idle_baseline[r][key])})" for r in cost_runners]
    verdict = ok(good(cost[cand][key])) if cand in cost else ""
    cost_md.append(f"| {label} | " + " | ".join(cells) + f" | {target} | {verdict} |")
cells = [f"{cost[r]['jobs_per_s']}" for r in cost_runners]
cost_md.append("| jobs/s of the same run (16 clients, whole core) | " + " | ".join(cells) + " | ≥ 600 | "
               + (ok(cost[cand]["jobs_per_s"] >= 600) if cand in cost else "") + " |")
cost_md.append("| jobs/s with the 25 % quota (the throughput run above) | "
               + " | ".join(f"{t.get(r, '–')}" for r in cost_runners) + " | ≥ 600 | "
               + (ok(t[cand] >= 600) if cand in t else "") + " |")

detail_md = []
for r in cost_runners:
    c = cost[r]
    top = ", ".join(f"{v} {k.upper()}" for k, v in list(c["redis_cmds_by_command"].items())[:12])
    eng = ", ".join(f"{k} {v}" for k, v in c["engine_by_process_us"].items())
    ib = idle_baseline[r]
    itop = ", ".join(f"{v} {k.upper()}" for k, v in ib["redis_cmds_by_command"].items()) or "none"
    detail_md += [
        f"- **`{r}`**, {c['jobs']} jobs in {c['seconds']} s ({c['failed']} failed):",
        f"  - Redis commands per job: {top}.",
        f"  - Redis reads per job (`total_reads_processed`): {c['redis_reads']}.",
        f"  - Engine CPU per job by process, µs: {eng}; CPU of the children the engine reaped"
        f" (cutime + cstime: `runc`, and for `docker exec` the exec'd command itself): {c['engine_reaped_children_us']} µs."
        f" Shims: {c['shims']['at_start']} at the start, {c['shims']['at_end']} at the end,"
        f" {c['shims']['appeared']} appeared (counted whole), {c['shims']['gone']} gone (their CPU since the start is lost)."
        + (f" **{c['shims']['appeared']} containers started during the run** (the pool grew toward the demand it saw):"
           " their start-up (runc, a shim, the agent; tens of ms of engine CPU and dozens of pids each) is in this"
           " runner's engine CPU and pids figures, which a steady pool would not show."
           if c['shims']['appeared'] else ""),
        f"  - Idle baseline: {ib['seconds']} s without jobs before the run, scaled to the run's {ib['scaled_to_seconds']} s"
        f" and divided by its jobs; Redis commands in it per job: {itop}.",
    ]


def jfr_md(title, j, note=None):
    out = [f"### {title}", ""]
    if note:
        out += [note, ""]
    for kind, label in (("execution_samples", "Java execution samples (`jdk.ExecutionSample`, every 10 ms per running thread)"),
                        ("cpu_time_samples", "CPU-time samples (`jdk.CPUTimeSample`, JDK 25, native code and system calls included)")):
        s = j.get(kind)
        if not s:
            continue
        out += [f"{label}: {s['samples']} samples.", "",
                "| # | top frame | samples | % | | first boxq frame | samples | % |", "|---|---|---|---|---|---|---|---|"]
        for n in range(max(len(s["top_frames"]), len(s["boxq_frames"]))):
            a = s["top_frames"][n] if n < len(s["top_frames"]) else ["", "", ""]
            b = s["boxq_frames"][n] if n < len(s["boxq_frames"]) else ["", "", ""]
            out.append(f"| {n + 1} | `{a[0]}` | {a[1]} | {a[2]} | | `{b[0]}` | {b[1]} | {b[2]} |")
        out += ["", "Threads: " + ", ".join(f"{name} {pct} %" for name, _, pct in s["threads"]) + ".", ""]
    return out


profile_md = []
before_file = "bench/jfr-before.json"
b = json.load(open(before_file)) if os.path.exists(before_file) else None
if b:
    profile_md += jfr_md(f"before ({b['runner']} runner, {b['date']})", b["jfr"],
                         f"Recorded with `{b['command']}`: {b['jfr']['run']['jobs']} jobs from 16 clients at"
                         f" {b['jfr']['run']['jobs_per_s']} jobs/s, whole-core containers. Kept from that run in `{before_file}`.")
for r, j in jfr.items():
    if b and b["jfr"] == j:
        continue  # this run is the "before"
    profile_md += jfr_md(f"this run (`{r}` runner)", j,
                         f"{j['run']['jobs']} jobs from 16 clients at {j['run']['jobs_per_s']} jobs/s, whole-core containers;"
                         f" the recording's own views: `bench/tmp/{r}-hot.txt`.")

machine = {
    "cpus": os.cpu_count(), "memory": sh("free -g | awk '/^Mem:/ {print $2 \" GiB\"}'"),
    "kernel": platform.release(), "docker": sh("docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'"),
    "java": sh("java -version 2>&1 | head -n1"), "redis": sh("redis-server --version | awk '{print $3}'"),
    "load": raw.get("load_at_start", "?").replace(" ", " / "),
    "load_end": " / ".join(open("/proc/loadavg").read().split()[:3]),
}
md = ["# boxq benchmarks", "",
      f"Measured {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} with `{raw['command']}`"
      " (it starts its own servers and its own Redis; every runner in one run). Raw numbers: `bench/results.json`.", "",
      f"Machine: {machine['cpus']} cores, {machine['memory']}, kernel {machine['kernel']}, Docker {machine['docker']},"
      f" {machine['java']}, Redis {machine['redis']}. Load average (1 / 5 / 15 min) before the run: {machine['load']};"
      f" at its end: {machine['load_end']} (2 cores: a 1-minute figure well above 2 means other work, or the bench"
      " itself, shared the machine).", "",
      f"Every figure: a **free-tier key** (256 MiB containers) with its concurrency raised to 64 and its rate limit lifted,"
      f" **CPU quota {cpu} %** of one core per container unless a row says whole core, image **`{image}`**, network none,"
      " all-in-one server on the same machine as the load generator (`bench/Bench.java`, JDK HttpClient).", "",
      "| measure | result | target | |", "|---|---|---|---|"]
md += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
md += ["", "## What one job costs", "",
       f"Each runner's server, with whole-core containers (`CPU_QUOTA_PERCENT=100`), runs"
       f" {', '.join(str(cost[r]['jobs']) for r in cost_runners)} `echo hi` jobs from 16 clients after a warm-up; the"
       " counters are read from outside the processes (`bench/cost.py`) right before and right after those jobs, and"
       " divided by their number. Nothing is subtracted. In brackets, the **idle baseline**: the same counters over a"
       " quiet interval as long as the run, on the same server just before it, with no jobs (heartbeats, pool upkeep,"
       " reclaim and other maintenance), scaled to the run's length and divided by its jobs: what the run would show"
       " with jobs that cost nothing. Redis is the bench's own (no other traffic); the engine and the host's pids are"
       " shared with whatever else runs on the machine.", ""]
md += cost_md
md += ["", "What the figures are made of:", ""] + detail_md
md += ["",
       "- **Redis commands** are the sum of `calls` over every command in `INFO commandstats`, which counts the calls"
       " a Lua script makes as well as the `EVALSHA` itself (the bench's own `INFO` probes are left out)."
       " **Round trips** are `total_writes_processed` of `INFO stats`: one reply write per client request, or per"
       " pipeline whose replies go out together, plus pushed pub/sub messages.",
       "- **JVM CPU** covers all of the server's threads (HTTP, Redis clients, runner streams, JIT and GC).",
       "- **Processes** is the kernel's last pid: every process and thread created on the host during the run, the"
       " load generator's, the shared machine's and the bench's two snapshot processes included.",
       ""]
if profile_md:
    md += ["## Where the server JVM spends its time (JDK Flight Recorder)", "",
           "`BENCH_JFR=1` records the cost run's server over a second run of the same size with"
           " `jcmd <pid> JFR.start settings=profile` (plus JDK 25's CPU-time sampler); `bench/hot.py` reads the"
           " recording. The first table column is the method on top of the stack; the second is the first boxq"
           " method from the top, i.e. the boxq code on whose behalf the time was spent.", ""] + profile_md
md += ["## Notes", "",
       "- The load generator, the server, Redis and the containers share the same 2 cores, so throughput is bounded by"
       " the machine, not by one component; the shared machine is noisy, compare the runners of the same run. CPU"
       " times per job are steadier than wall times.",
       "- `jobs/s` counts complete round trips: submit, then a long-poll GET until the result (two HTTP requests per job).",
       "- Each latency run starts after min(500, N) unmeasured jobs of the same kind on the same server, so the figures"
       " are a warmed-up server's (the JIT compiles the request path over the first few hundred requests).",
       "- **Warm hand-out** (`POST /v1/sandboxes`) is a Redis reservation (Lua), a request to the node through its"
       " stream, the node taking a container from the pool and recording the sandbox, and the answer back: several Redis"
       " round trips and two thread hand-offs.",
       f"- Jobs that did not succeed in the throughput runs: "
       + ", ".join(f"`{r}` {v}" for r, v in results["setup"]["failed_jobs"].items()) + ".",
       f"- **Idle sandboxes:** the node's pool maximum, `MAX_TOTAL_SANDBOXES` and the key's `max_sandboxes` are raised"
       f" for that run only; {i5['held']} sandboxes were created by 8 clients in {i5['hold_seconds']} s"
       + (f" ({i5['create_retries_503']} creates answered 503 were retried a second later)." if i5.get("create_retries_503") is not None else ".") + f" Memory is the"
       " sum of `memory.usage_in_bytes` of every container of that node (held sandboxes and the few warm ones) in"
       " `/sys/fs/cgroup/memory/docker/<id>/`, plus the RSS of each one's `containerd-shim`; the host's `free` grew by"
       f" {i5['host_used_delta_mib']} MiB over the same creates (other work on the shared machine moves that too)."
       " A shim's RSS counts the pages of the `containerd-shim-runc-v2` binary it shares with every other shim"
       " (about 10 MiB of its ~13 MiB), once per shim; its PSS shares them out, hence the second figure. While they are held, the resource monitor samples"
       " every sandbox every `RESOURCE_MONITOR_INTERVAL_SECONDS` (15), sharing the cores with the measured submits.",
       ""]
if "transport_floor" in results:
    tf = results["transport_floor"]
    a, s_ = tf["agent_socket"], tf["attach_stream"]
    md += ["## Where the time goes with the agent", "",
           "- **The transport.** The agent alone, `echo hi` over its unix socket with nothing of boxq around it (a"
           f" Python client in `bench/transport_floor.py`), answers in {a['p50_ms']} ms at p50 ({a['p99_ms']} ms p99),"
           f" costs the engine {a['engine_cpu_us_per_cmd']} µs of CPU and the host {a['host_pids_per_cmd']} pids per command."
           f" The old runner's transport, a shell attached with `docker exec -i`, measured in the same run: {s_['p50_ms']} ms"
           f" p50, {s_['engine_cpu_us_per_cmd']} µs of engine CPU per command (dockerd and the shim copy every byte), which"
           " rules it out against the engine target. The engine figures include whatever else the engine did meanwhile"
           " (other containers' health, other work on this machine).",
           "- **The command is one process:** fork, `setsid`, exec of the shell; output arrives as frames the moment"
           " the command writes it. The rest of a warm job's time is boxq's: the HTTP submit, the stream read, the"
           " start and completion scripts, the long-poll's wake-up; the cost table above says what each part costs.",
           ""]
# Kept by hand (they change with the code, not per run): why the missed targets are missed, and the
# Redis path of a job command by command.
for page in ("bench/missed-targets.md", "bench/redis-path.md"):
    if os.path.exists(page):
        md += ["", open(page).read().rstrip(), ""]
if "pause_ms" in results:
    md += [""] + sandbox_ops.section(results) + [""]
if "redis_wait" in results:
    md += [""] + redis_wait.section(results["redis_wait"]) + [""]
with open("docs/benchmarks.md", "w") as f:
    f.write("\n".join(md))
print(json.dumps(results, indent=2))
