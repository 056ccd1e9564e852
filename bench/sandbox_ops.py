"""What a sandbox's own operations take: pause, resume, snapshot and fork (the sandbox_ops part of
bench/results.json, as pause_ms, resume_ms, snapshot_ms and fork_ms, and its section of docs/benchmarks.md).

    python3 bench/sandbox_ops.py merge RAW    (scripts/bench.sh --only sandbox_ops: update the two
                                               files in place, the rest of them as the last full run left it)

RAW holds the lines `pause_ms=…`, `resume_ms=…`, `snapshot_ms=…`, `fork_ms=…` (each {n, p50, p90, p99}),
`sandbox_ops.command=…` and `sandbox_ops.load_at_start=…`. report.py calls result() and section() for a
full run.
"""
import json
import sys

import partial

BEGIN = "<!-- sandbox_ops: written by bench/sandbox_ops.py -->"
END = "<!-- /sandbox_ops -->"
NAMES = ("pause_ms", "resume_ms", "snapshot_ms", "fork_ms")
WHAT = {"pause_ms": "pause (`POST /v1/sandboxes/{id}/pause`)",
        "resume_ms": "resume (`POST /v1/sandboxes/{id}/resume`)",
        "snapshot_ms": "snapshot of a 10 MiB workspace (`POST /v1/sandboxes/{id}/snapshots`)",
        "fork_ms": "fork of a 10 MiB workspace (`POST /v1/sandboxes/{id}/fork`)"}


def result(raw):
    """The four figures ({n, p50, p90, p99} each) and how they were measured, from the raw lines."""
    out = {name: {k: raw[name][k] for k in ("n", "p50", "p90", "p99") if k in raw[name]}
           for name in NAMES if name in raw}
    if "sandbox_ops.command" in raw:
        out["sandbox_ops"] = {"command": raw["sandbox_ops.command"], "load_at_start": raw.get("sandbox_ops.load_at_start")}
    return out


def section(results):
    """docs/benchmarks.md's section, between markers so that a partial run can replace it."""
    run = results.get("sandbox_ops") or {}
    how = f" `{run['command']}`, load average at its start: {run.get('load_at_start')}." if run.get("command") else ""
    lines = [BEGIN, "## Sandbox operations", "",
             "One sandbox of the candidate runner, HTTP round trip from a client on the same host; a pause waits"
             " behind nothing (the sandbox is idle), a snapshot and a fork copy a workspace of 10 MiB of random"
             f" bytes (bench/copies.py).{how}", "",
             "| operation | p50 (ms) | p90 (ms) | p99 (ms) | n |", "|---|---|---|---|---|"]
    for name in NAMES:
        if name in results:
            v = results[name]
            lines.append(f"| {WHAT[name]} | {v['p50']} | {v['p90']} | {v.get('p99', '')} | {v.get('n', '')} |")
    return lines + [END]


def merge(raw_file):
    ops = result(partial.read_raw(raw_file))
    with open("bench/results.json") as f:
        results = {**json.load(f), **ops}
    partial.merge(ops, section(results), BEGIN, END)


if __name__ == "__main__" and sys.argv[1] == "merge":
    merge(sys.argv[2])
