"""The cost of acknowledged writes (REDIS_WAIT_REPLICAS): the redis_wait part of bench/results.json
and its section of docs/benchmarks.md.

    python3 bench/redis_wait.py merge RAW     (scripts/bench.sh --only redis_wait: update the two
                                               files in place, the rest of them as the last full run left it)

RAW holds the lines `redis_wait.wait_<n>=<latency JSON>|<throughput JSON>` and `redis_wait.command=...`.
report.py calls result() and section() for a full run. WAIT 1's figures are redis_wait.{submit_p50_ms,
submit_p99_ms, jobs_per_s}; WAIT 0's are under redis_wait.wait_0.
"""
import sys

import partial

BEGIN = "<!-- redis_wait: written by bench/redis_wait.py -->"
END = "<!-- /redis_wait -->"


def result(raw):
    """The redis_wait object of bench/results.json from the raw lines (a dict name -> parsed JSON):
    WAIT 1's figures at the top, WAIT 0's beside them under wait_0."""
    def figures(value):
        lat, thr = value["latency"], value["throughput"]
        return {"submit_p50_ms": lat["submit"]["p50"], "submit_p99_ms": lat["submit"]["p99"],
                "jobs_per_s": thr["jobs_per_s"], "job_p50_ms": lat["p50"], "jobs": thr["jobs"],
                "clients": thr["clients"], "failed": thr["failed"]}
    out = {"wait_replicas": 1, "replicas": 1, **figures(raw["redis_wait.wait_1"]),
           "wait_0": figures(raw["redis_wait.wait_0"]), "command": raw.get("redis_wait.command"),
           "load_at_start": raw.get("redis_wait.load_at_start")}
    return out


def section(rw):
    """docs/benchmarks.md's section for it, between markers so that a partial run can replace it."""
    row = lambda name, v: (f"| {name} | {v['submit_p50_ms']} | {v['submit_p99_ms']} | {v['job_p50_ms']} |"
                           f" {v['jobs_per_s']} ({v['jobs']} jobs, {v['clients']} clients, {v['failed']} failed) |")
    load = f" Load average at its start: {rw['load_at_start']}." if rw.get("load_at_start") else ""
    return [BEGIN, "## Acknowledged writes (`REDIS_WAIT_REPLICAS`)", "",
            "The bench's own Redis with one replica on loopback; one server with `REDIS_WAIT_REPLICAS=0` (the default),"
            " then one with `1`: each submit, start and end waits for the replica's `WAIT` on its own connection"
            f" (docs/reliability.md). `{rw.get('command')}`.{load}", "",
            "| setting | submit p50 (ms) | submit p99 (ms) | job p50 (ms) | jobs/s |",
            "|---|---|---|---|---|", row("WAIT 0", rw["wait_0"]), row("WAIT 1", rw), END]


def merge(raw_file):
    rw = result(partial.read_raw(raw_file))
    partial.merge({"redis_wait": rw}, section(rw), BEGIN, END)


if __name__ == "__main__" and sys.argv[1] == "merge":
    merge(sys.argv[2])
