"""Snapshot and fork latency of a sandbox with a 10 MiB workspace, for scripts/bench.sh.

usage: copies.py BASE KEY N  ->  {"snapshot_ms": {n, p50, p90}, "fork_ms": {n, p50, p90}}
Each snapshot is deleted and each fork destroyed right after it is timed; the source sandbox holds
10 MiB of random bytes (incompressible: the copy, not gzip, is what is measured).
"""
import json
import sys
import time
import urllib.request

base, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])


def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        text = r.read()
        return json.loads(text) if text else None


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def summary(ms):
    ms = sorted(ms)
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    return {"n": len(ms), "p50": round(q(.5), 1), "p90": round(q(.9), 1)}


sandbox = call("POST", "/v1/sandboxes", {"ttl_s": 3600})["id"]
job = call("POST", "/v1/jobs", {"command": "head -c 10485760 /dev/urandom > /workspace/ten-mib", "sandbox_id": sandbox})
call("GET", "/v1/jobs/%s?wait=60" % job["id"])
snapshots, forks = [], []
for _ in range(n):
    ms, snap = timed(lambda: call("POST", "/v1/sandboxes/%s/snapshots" % sandbox, {}))
    snapshots.append(ms)
    call("DELETE", "/v1/snapshots/" + snap["id"])
for _ in range(n):
    ms, made = timed(lambda: call("POST", "/v1/sandboxes/%s/fork" % sandbox, {}))
    forks.append(ms)
    call("DELETE", "/v1/sandboxes/" + made["sandboxes"][0]["id"])
call("DELETE", "/v1/sandboxes/" + sandbox)
print(json.dumps({"snapshot_ms": summary(snapshots), "fork_ms": summary(forks)}))
