#!/usr/bin/env python3
"""Puts the runtime comparison of scripts/bench.sh (runc beside runsc, same run) into
bench/results.json as runtime.<name>.* and into docs/benchmarks.md between its runtime markers.

Usage: bench/runtimes.py PARTIAL_FILE   (lines NAME.KEY=JSON written by bench.sh's runtime part)
"""
import json
import re
import sys

START, END = "<!-- runtimes:start -->", "<!-- runtimes:end -->"


def main(partial):
    runtime = {}
    meta = {}
    for line in open(partial):
        name, _, value = line.rstrip("\n").partition("=")
        if name.startswith("runtime."):
            _, rt, key = name.split(".", 2)
            runtime.setdefault(rt, {})[key] = json.loads(value)
        else:
            meta[name] = json.loads(value)
    results = json.load(open("bench/results.json"))
    results["runtime"] = runtime
    results["runtime_run"] = meta
    with open("bench/results.json", "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    section = table(runtime, meta)
    doc = open("docs/benchmarks.md").read()
    if START in doc:
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    open("docs/benchmarks.md", "w").write(doc)


def table(runtime, meta):
    def cell(rt, key, field, unit=""):
        v = runtime.get(rt, {}).get(key, {})
        v = v.get(field) if isinstance(v, dict) else None
        return "–" if v is None else f"{v}{unit}"
    rows = [
        ("warm job p50 (`echo hi`, 1 client)", "warm_job_ms", "p50", " ms"),
        ("warm job p99", "warm_job_ms", "p99", " ms"),
        ("jobs/s, 16 clients", "jobs_per_s_16_clients", "jobs_per_s", ""),
        ("cold start p50 (a sandbox, no warm container)", "cold_start_ms", "p50", " ms"),
        ("cold start p99", "cold_start_ms", "p99", " ms"),
        ("idle memory per container (cgroup + shim RSS)", "idle_memory", "per_container_mib", " MiB"),
    ]
    names = sorted(runtime, key=lambda n: (n != "runc", n))
    out = [START, "## Runtimes: runc beside runsc (gVisor)", "",
           f"`{meta.get('command', 'scripts/bench.sh --only runtimes')}`, {meta.get('date', '')}, load at start "
           f"{meta.get('load_at_start', '?')}; the same server, CPU quota {meta.get('cpu_percent', '?')} % of a core per container, "
           "image `boxq-sandbox:bookworm`, runtime chosen with `SANDBOX_RUNTIME`. Under runsc the agent speaks over a "
           "`docker exec` stream (docs/architecture.md, \"Transport under gVisor\") and gVisor's kernel, gofer and "
           "ptrace stubs run inside the container's CPU quota and memory.", "",
           "| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key, field, unit in rows:
        out.append(f"| {label} | " + " | ".join(cell(n, key, field, unit) for n in names) + " |")
    out.append(END)
    return "\n".join(out)


if __name__ == "__main__":
    main(sys.argv[1])
