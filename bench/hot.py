"""Where the server JVM spends its time, from a JDK Flight Recorder file (scripts/bench.sh, BENCH_JFR=1).

    python3 bench/hot.py FILE.jfr [THROUGHPUT_JSON]

Prints one JSON object. For each kind of sample in the recording (jdk.ExecutionSample: threads
running Java code, every 10 ms with settings=profile; jdk.CPUTimeSample: JDK 25's CPU-time sampler,
which also sees threads in native code and system calls, when it was enabled):
  top_frames   the methods on top of the stack (what `jfr view hot-methods` shows), top 15
  boxq_frames  the first io.boxq frame from the top of each stack (the boxq code on whose behalf
               the time was spent; "(no boxq frame)" for threads that never pass through boxq code,
               such as the JIT-compiled library loops of Jetty or the GC), top 15
  threads      thread names with their numbers blanked, top 10
"""
import collections
import json
import os
import re
import subprocess
import sys

TOP = 15


def samples(jfr, event):
    """Yields (thread name, [frames, top first]) for each event of that type."""
    proc = subprocess.Popen([f"{java_home()}/bin/jfr", "print", "--events", event, "--stack-depth", "64", jfr],
                            stdout=subprocess.PIPE, text=True)
    thread, frames, in_stack = None, [], False
    for line in proc.stdout:
        s = line.strip()
        if s.endswith("{") and s.startswith("jdk."):
            thread, frames, in_stack = None, [], False
        elif s.startswith("sampledThread = ") or s.startswith("eventThread = "):
            m = re.match(r'\w+ = "(.*)" \(', s)
            thread = m.group(1) if m else s.split("=", 1)[1].strip()
            if not thread:
                thread = "(unnamed virtual thread)" if "virtual)" in s else "(unnamed thread)"
        elif s == "stackTrace = [":
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack and s and s != "...":
            frames.append(re.sub(r"\s+line: \d+$", "", s))
        elif s == "}":
            yield thread or "?", frames
    proc.wait()


def java_home():
    return os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")


def summarize(jfr, event):
    top, boxq, threads, n = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for thread, frames in samples(jfr, event):
        n += 1
        top[frames[0] if frames else "(no frames)"] += 1
        boxq[next((f for f in frames if f.startswith("io.boxq.")), "(no boxq frame)")] += 1
        threads[re.sub(r"\d+", "N", thread)] += 1
    if n == 0:
        return None
    rows = lambda c, k: [[name, count, round(100 * count / n, 1)] for name, count in c.most_common(k)]
    return {"samples": n, "top_frames": rows(top, TOP), "boxq_frames": rows(boxq, TOP), "threads": rows(threads, 10)}


def main():
    jfr = sys.argv[1]
    out = {}
    if len(sys.argv) > 2:
        run = json.loads(sys.argv[2])
        out["run"] = {k: run[k] for k in ("jobs", "clients", "seconds", "jobs_per_s") if k in run}
    for event, name in (("jdk.ExecutionSample", "execution_samples"), ("jdk.CPUTimeSample", "cpu_time_samples")):
        s = summarize(jfr, event)
        if s:
            out[name] = s
    print(json.dumps(out))


if __name__ == "__main__":
    main()
