"""The runner alone, without boxq's HTTP, Redis and Java around it, and the in-container cost of
one command: where the warm-job latency goes.

    python3 bench/runner_floor.py IMAGE N

Starts two throwaway containers of IMAGE (labelled boxq.bench=true; removed at the end), one with
no CPU quota and one with the 25 % quota boxq gives a free-tier sandbox, attaches runner.sh to
each exactly as the executor does (`docker exec -i … /bin/sh -c <runner.sh>`), sends N `echo hi`
requests one after another, and prints one JSON object.
"""
import json
import subprocess
import sys
import time

RUNNER = "executor/src/main/resources/io/boxq/executor/runner/runner.sh"
image, n = sys.argv[1], int(sys.argv[2])


def quantiles(ms):
    ms = sorted(ms)
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms) + 0.999) - 1)]
    return {"n": len(ms), "p50": round(q(.5), 2), "p90": round(q(.9), 2), "p99": round(q(.99), 2)}


def start(name, quota):
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    args = ["docker", "run", "-d", "--name", name, "--label", "boxq.bench=true", "--user", "65534",
            "--network", "none", "--init", "--tmpfs", "/workspace:uid=65534,gid=65534,exec", "--memory", "256m"]
    if quota:
        args += ["--cpu-quota", str(quota * 1000)]
    subprocess.run(args + [image, "/bin/sh", "-c", "while :; do sleep 86400; done", "boxq-keepalive"],
                   check=True, capture_output=True)


def runner_round_trips(name, shell):
    src = open(RUNNER).read()
    p = subprocess.Popen(["docker", "exec", "-i", name, "/bin/sh", "-c", src, "boxq-runner", "/workspace"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def line():
        b = b""
        while not b.endswith(b"\n"):
            ch = p.stdout.read(1)
            if not ch:
                raise SystemExit("runner ended: " + repr(b))
            b += ch
        return b.decode()

    p.stdin.write(b"0000000000000000 hello 0 0 0\n")
    line()
    ms = []
    for i in range(n):
        nonce = "%016x" % (i + 1)
        t = time.perf_counter()
        p.stdin.write(("%s run 100 0 0 set -- \"$@\" '/workspace' '%s' 'echo hi'\n" % (nonce, shell)).encode())
        while not line().startswith(nonce + " 2"):
            pass
        ms.append((time.perf_counter() - t) * 1000)
    p.stdin.close()
    p.wait()
    return quantiles(ms)


def in_container_ms(name, loop_body):
    """Mean ms of one iteration of loop_body, timed inside the container (GNU date)."""
    script = ('s=$(date +%%s%%N); i=0; while [ $i -lt %d ]; do %s; i=$((i+1)); done; e=$(date +%%s%%N); '
              'echo $(( (e - s) / %d ))') % (n, loop_body, n)
    out = subprocess.run(["docker", "exec", name, "/bin/sh", "-c", script], capture_output=True, text=True, check=True)
    return round(int(out.stdout.strip()) / 1e6, 2)


shell = "/bin/bash" if subprocess.run(["docker", "run", "--rm", "--network", "none", image, "test", "-x", "/bin/bash"],
                                      capture_output=True).returncode == 0 else "/bin/sh"
try:
    start("boxq-bench-floor", None)
    start("boxq-bench-floor-q", 25)
    result = {
        "shell": shell,
        "runner_no_quota_ms": runner_round_trips("boxq-bench-floor", shell),
        "runner_quota_25_ms": runner_round_trips("boxq-bench-floor-q", shell),
        "in_container_ms": {
            "setsid_shell_c": in_container_ms("boxq-bench-floor", "( exec setsid %s -c 'echo hi' ) >/dev/null" % shell),
            "subshell": in_container_ms("boxq-bench-floor", "( : )"),
            "head_c": in_container_ms("boxq-bench-floor", "head -c 10 /etc/hostname >/dev/null"),
        },
    }
finally:
    subprocess.run(["docker", "rm", "-f", "boxq-bench-floor", "boxq-bench-floor-q"], capture_output=True)
print(json.dumps(result))
