#!/usr/bin/env python3
"""The agent's transport against an attached stream, with nothing of boxq's Java in between.

Runs N `echo hi` round trips (1) through boxq-agent over its unix socket and (2) through a shell
attached with `docker exec -i` (the transport of the old shell runner), one hardened container
each, in the same run, and prints JSON: p50/p99 in ms, and per command the host CPU of dockerd,
containerd and the shims (µs) and the pids allocated on the host (the last pid of /proc/loadavg).

  bench/transport_floor.py AGENT_BINARY IMAGE N
"""
import json, os, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cost  # noqa: E402  (bench/cost.py: how the bench reads the engine's processes)

TICK = os.sysconf("SC_CLK_TCK")


def engine_cpu():
    """CPU ticks of dockerd, containerd and the shims, by process (cost.py's reading)."""
    return {k: v["ticks"] for k, v in cost.engine_processes().items()}


def engine_cpu_us(before, after):
    """Engine CPU between two readings, over the processes in both (one that went took its CPU along)."""
    return sum(after[p] - before[p] for p in after if p in before) * 1_000_000 // TICK


def last_pid():
    with open("/proc/loadavg") as f:
        return int(f.read().split()[-1])


HARDENED = ["--init", "--user", "65534:65534", "--read-only", "--network", "none", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--memory", "256m", "--pids-limit", "128",
            "--tmpfs", "/workspace:rw,exec,uid=65534,gid=65534,size=64m",
            "--tmpfs", "/tmp:rw,exec,uid=65534,gid=65534,size=64m",
            "-l", "boxq.managed=true", "-l", "boxq.bench=transport", "-w", "/workspace"]


def measure(n, once):
    for _ in range(50):  # warm up
        once()
    times, cpu0, pid0 = [], engine_cpu(), last_pid()
    for _ in range(n):
        t = time.perf_counter()
        once()
        times.append((time.perf_counter() - t) * 1000)
    cpu, pids = engine_cpu_us(cpu0, engine_cpu()), last_pid() - pid0
    times.sort()
    return {"p50_ms": round(times[n // 2], 3), "p99_ms": round(times[n * 99 // 100], 3),
            "engine_cpu_us_per_cmd": round(cpu / n, 1), "host_pids_per_cmd": round(pids / n, 2)}


def agent(binary, image, n):
    d = tempfile.mkdtemp(prefix="boxq-floor-")
    os.chmod(d, 0o755)
    path = d + "/agent.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    os.chmod(path, 0o666)
    server.listen(1)
    cid = subprocess.check_output(["docker", "run", "-d", *HARDENED, "-v", f"{binary}:/.boxq/agent:ro",
                                   "-v", f"{d}:/.boxq/run:ro", image, "/.boxq/agent", "init",
                                   "/.boxq/run/agent.sock"]).decode().strip()
    try:
        server.settimeout(10)
        conn, _ = server.accept()
        server.close()
        os.unlink(path)

        def read(k):
            b = b""
            while len(b) < k:
                chunk = conn.recv(k - len(b))
                if not chunk:
                    raise EOFError
                b += chunk
            return b

        def frame():
            h = read(5)
            return h[0], read(struct.unpack(">I", h[1:])[0])

        frame()  # hello

        def s(b):
            return struct.pack(">I", len(b)) + b

        body = struct.pack(">II", 10000, 1 << 20) + s(b"sh") + s(b"echo hi") + s(b"/workspace") + struct.pack(">I", 0) + s(b"")
        request = b"R" + struct.pack(">I", len(body)) + body

        def once():
            conn.sendall(request)
            while frame()[0] != ord("X"):
                pass

        return measure(n, once)
    finally:
        subprocess.call(["docker", "rm", "-f", cid], stdout=subprocess.DEVNULL)
        os.rmdir(d)


def attached(image, n):
    cid = subprocess.check_output(["docker", "run", "-d", *HARDENED, image, "sh", "-c", "while :; do sleep 86400; done"]).decode().strip()
    try:
        p = subprocess.Popen(["docker", "exec", "-i", cid, "sh"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

        def once():
            p.stdin.write(b"sh -c 'echo hi'; echo __end__\n")
            while p.stdout.readline() != b"__end__\n":
                pass

        out = measure(n, once)
        p.stdin.close()
        p.wait()
        return out
    finally:
        subprocess.call(["docker", "rm", "-f", cid], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    binary, image, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps({"agent_socket": agent(binary, image, n), "attach_stream": attached(image, n)}))
