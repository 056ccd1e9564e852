"""What a job costs, read from outside the processes (scripts/bench.sh; docs/benchmarks.md).

  cost.py snapshot --redis-port P --jvm-pid PID --prefix PREFIX PHASE
      writes PREFIX + PHASE + .json (bench/Bench.java's throughput hook appends the phase, `before`
      or `after`) with the counters as they are now: Redis INFO (commandstats, cpu, stats), the server JVM's
      utime+stime, every dockerd / containerd / containerd-shim* process's utime+stime (and what
      it reaped: cutime+cstime), and the kernel's last pid.
  cost.py diff BEFORE AFTER JOBS
      per-job figures between two snapshots (JSON on stdout).
  cost.py idle BEFORE AFTER JOBS RUN_SECONDS
      the same figures for an interval without jobs, scaled to RUN_SECONDS and divided by JOBS:
      what the quiet server (heartbeats, maintenance) adds to each job of a run that long.
  cost.py memory NODE
      the containers labelled boxq.node=NODE: the sum of their cgroup memory.usage_in_bytes and of
      their containerd-shim's RSS (and, beside it, the shims' PSS and anonymous memory).

Nothing is subtracted: the bench's own probes (one INFO per snapshot, a redis-cli and a python
process) are left in and are negligible over a run of jobs; `info` calls are left out of the
command count because only the probes send them.
"""
import json
import os
import subprocess
import sys
import time

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state, field 3 of proc(5))."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def ticks(pid):
    """(utime+stime, cutime+cstime, starttime) of a process: all its threads, in clock ticks."""
    f = stat_fields(pid)
    # proc(5): utime 14, stime 15, cutime 16, cstime 17, starttime 22 -> index field-3
    return int(f[11]) + int(f[12]), int(f[13]) + int(f[14]), int(f[19])


def engine_processes():
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            c = comm(name)
            if c in ("dockerd", "containerd") or c.startswith("containerd-shim"):
                own, reaped, start = ticks(name)
                out[f"{name}:{start}"] = {"comm": c, "ticks": own, "reaped_ticks": reaped}
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass  # gone while we looked
    return out


def redis_info(port):
    text = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "info", "everything"],
                          capture_output=True, text=True, check=True, timeout=30).stdout
    calls, fields = {}, {}
    for line in text.splitlines():
        if line.startswith("cmdstat_"):
            name, _, rest = line[len("cmdstat_"):].partition(":")
            calls[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
        elif ":" in line and not line.startswith("#"):
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return {"calls": calls,
            "cpu_s": float(fields["used_cpu_sys"]) + float(fields["used_cpu_user"]),
            "commands_processed": int(fields["total_commands_processed"]),
            "writes_processed": int(fields["total_writes_processed"]),
            "reads_processed": int(fields["total_reads_processed"])}


def snapshot(out, port, jvm_pid):
    with open("/proc/loadavg") as f:
        last_pid = int(f.read().split()[4])
    jvm, _, jvm_start = ticks(jvm_pid)
    snap = {"time": time.time(), "last_pid": last_pid, "jvm_ticks": jvm, "jvm_pid": jvm_pid,
            "engine": engine_processes(), "redis": redis_info(port)}
    with open("/proc/sys/kernel/pid_max") as f:
        snap["pid_max"] = int(f.read())
    with open(out, "w") as f:
        json.dump(snap, f)


def raw_diff(a, b):
    """Totals between two snapshots (not per job)."""
    calls = {k: v - a["redis"]["calls"].get(k, 0) for k, v in b["redis"]["calls"].items() if k != "info"}
    calls = {k: v for k, v in calls.items() if v}
    ea, eb = a["engine"], b["engine"]
    by_comm, reaped = {}, 0
    for key, p in eb.items():
        before = ea.get(key, {"ticks": 0, "reaped_ticks": 0})  # born during the interval: all of it
        group = "shims" if p["comm"].startswith("containerd-shim") else p["comm"]
        by_comm[group] = by_comm.get(group, 0) + p["ticks"] - before["ticks"]
        reaped += p["reaped_ticks"] - before["reaped_ticks"]
    shims = lambda s: {k for k, p in s.items() if p["comm"].startswith("containerd-shim")}
    pids = b["last_pid"] - a["last_pid"]
    if pids < 0:  # wrapped around pid_max
        pids += b["pid_max"]
    return {
        "seconds": b["time"] - a["time"],
        "redis_calls": calls,
        "redis_cmds": sum(calls.values()),
        "redis_commands_processed": b["redis"]["commands_processed"] - a["redis"]["commands_processed"],
        "redis_writes": b["redis"]["writes_processed"] - a["redis"]["writes_processed"],
        "redis_reads": b["redis"]["reads_processed"] - a["redis"]["reads_processed"],
        "redis_cpu_us": (b["redis"]["cpu_s"] - a["redis"]["cpu_s"]) * 1e6,
        "jvm_cpu_us": (b["jvm_ticks"] - a["jvm_ticks"]) * TICK_US,
        "engine_cpu_us": sum(by_comm.values()) * TICK_US,
        "engine_by_process_us": {k: v * TICK_US for k, v in sorted(by_comm.items())},
        "engine_reaped_children_us": reaped * TICK_US,
        "shims": {"at_start": len(shims(ea)), "at_end": len(shims(eb)),
                  "appeared": len(shims(eb) - shims(ea)), "gone": len(shims(ea) - shims(eb))},
        "processes": pids,
    }


def per_job(d, jobs, scale=1.0):
    r = lambda x, nd=1: round(x * scale / jobs, nd)
    top = sorted(d["redis_calls"].items(), key=lambda kv: -kv[1])
    return {
        "jobs": jobs,
        "seconds": round(d["seconds"], 2),
        "redis_cmds": r(d["redis_cmds"], 2),
        "redis_round_trips": r(d["redis_writes"], 2),
        "redis_reads": r(d["redis_reads"], 2),
        "redis_cpu_us": r(d["redis_cpu_us"]),
        "jvm_cpu_us": r(d["jvm_cpu_us"]),
        "engine_cpu_us": r(d["engine_cpu_us"]),
        "engine_by_process_us": {k: r(v) for k, v in d["engine_by_process_us"].items()},
        "engine_reaped_children_us": r(d["engine_reaped_children_us"]),
        "processes": r(d["processes"], 3),
        "redis_cmds_by_command": {k: r(v, 2) for k, v in top},
        "shims": d["shims"],
    }


def memory(node):
    ids = subprocess.run(["docker", "ps", "-q", "--no-trunc", "--filter", f"label=boxq.node={node}"],
                         capture_output=True, text=True, check=True).stdout.split()
    shim_of = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if not comm(name).startswith("containerd-shim"):
                continue
            with open(f"/proc/{name}/cmdline") as f:
                args = f.read().split("\0")
            if "-id" in args:
                shim_of[args[args.index("-id") + 1]] = name
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            pass
    cgroup = missing = 0
    shim = {"Rss": 0, "Pss": 0, "Anonymous": 0}
    for cid in ids:
        try:
            with open(f"/sys/fs/cgroup/memory/docker/{cid}/memory.usage_in_bytes") as f:
                cgroup += int(f.read())
        except FileNotFoundError:
            missing += 1
        pid = shim_of.get(cid)
        if pid:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in shim:
                        shim[k] += int(v.split()[0]) * 1024
        else:
            missing += 1
    mib = lambda b: round(b / 2**20, 1)
    print(json.dumps({"containers": len(ids), "cgroup_mib": mib(cgroup), "shim_rss_mib": mib(shim["Rss"]),
                      "used_memory_mib": mib(cgroup + shim["Rss"]),
                      "per_container_mib": mib((cgroup + shim["Rss"]) / len(ids)) if ids else None,
                      # RSS counts the shim binary's shared pages once per shim; PSS shares them out
                      "shim_pss_mib": mib(shim["Pss"]), "shim_anon_mib": mib(shim["Anonymous"]),
                      "used_memory_pss_mib": mib(cgroup + shim["Pss"]),
                      "not_found": missing}))


def main(argv):
    cmd = argv[1]
    if cmd == "snapshot":
        opts = dict(zip(argv[2:-1:2], argv[3:-1:2]))
        snapshot(opts["--prefix"] + argv[-1] + ".json", int(opts["--redis-port"]), int(opts["--jvm-pid"]))
    elif cmd in ("diff", "idle"):
        load = lambda p: json.load(open(p))
        d = raw_diff(load(argv[2]), load(argv[3]))
        jobs = int(argv[4])
        if cmd == "diff":
            print(json.dumps(per_job(d, jobs)))
        else:
            run_seconds = float(argv[5])
            out = per_job(d, jobs, scale=run_seconds / d["seconds"])
            out["scaled_to_seconds"] = round(run_seconds, 2)
            print(json.dumps(out))
    elif cmd == "memory":
        memory(argv[2])
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
