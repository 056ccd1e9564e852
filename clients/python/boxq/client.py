"""The client: jobs, live output, sandboxes and their snapshots and forks, keys and admin calls."""
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional

from ._http import Transport, q
from .errors import NotFoundError, SandboxEndedError, problem
from .events import Event, follow
from .models import Job, SandboxInfo, Snapshot

MAX_POLL_S = 60  # the server's longest long-poll


class Boxq:
    """One server and key; safe to share between threads (each call opens its own connection).

    ``timeout`` is one answer's socket timeout (a long-poll adds its wait); a 429 or 503 with a
    Retry-After of at most ``max_retry_after`` seconds is sent again after that long, up to
    ``max_retries`` times, and so is a request that is safe to repeat when its connection breaks.
    Every submit carries an Idempotency-Key, so such a retry never queues a job twice.
    """

    def __init__(self, base_url: str, api_key: Optional[str] = None, timeout: float = 30.0,
                 max_retries: int = 3, max_retry_after: float = 60.0):
        self._t = Transport(base_url, api_key, timeout, max_retries, max_retry_after)
        self.keys = Keys(self._t)
        self.admin = Admin(self._t)

    # --- jobs -----------------------------------------------------------------------------
    def submit(self, command: str, idempotency_key: Optional[str] = None, **fields: Any) -> Job:
        """Queues ``command``; ``fields`` are the other fields of POST /v1/jobs (sandbox_id, image,
        runtime, env, workdir, stdin, timeout_s, callback_url, metadata, max_attempts). A runtime
        the key may not use is an InvalidRequestError naming ``runtime``."""
        body = dict(fields, command=command)
        key = idempotency_key or str(uuid.uuid4())
        return Job.from_dict(self._t.json("POST", "/v1/jobs", body, {"Idempotency-Key": key}))

    def get(self, job_id: str, wait: int = 0) -> Job:
        """The job; with ``wait`` (at most 60) held until it ends or that many seconds pass."""
        path = "/v1/jobs/%s" % q(job_id) + ("?wait=%d" % wait if wait else "")
        return Job.from_dict(self._t.json("GET", path, timeout=self._t.timeout + wait))

    def wait(self, job_id: str, timeout: float = 300.0) -> Job:
        """Long-polls until the job ends or ``timeout`` seconds pass, whatever their number; the job
        is returned either way (check ``job.ended``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = int(max(0, min(MAX_POLL_S, deadline - time.monotonic())))
            job = self.get(job_id, wait=left)
            if job.ended or left == 0:
                return job

    def run(self, command: str, timeout: float = 300.0, **fields: Any) -> Job:
        """Submits and waits for the end (up to ``timeout`` seconds)."""
        return self.wait(self.submit(command, **fields).id, timeout)

    def events(self, job_id: str, last_event_id: Optional[str] = None) -> Iterator[Event]:
        """Live output (``Output``) then the ``Result``; resumes by itself after a dropped connection."""
        return follow(self._t, job_id, last_event_id, self._t.max_retries)

    def cancel(self, job_id: str) -> Job:
        """Cancels a queued or running job; ConflictError once it ended."""
        return Job.from_dict(self._t.json("POST", "/v1/jobs/%s/cancel" % q(job_id)))

    def list(self, state: Optional[str] = None, page_size: int = 100) -> Iterator[Job]:
        """The key's jobs, newest first, page by page as they are read."""
        cursor = None
        while True:
            path = "/v1/jobs?limit=%d" % page_size
            if state:
                path += "&state=" + q(state)
            if cursor:
                path += "&cursor=" + q(cursor)
            page = self._t.json("GET", path)
            for j in page.get("jobs", []):
                yield Job.from_dict(j)
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def batch(self, jobs: List[Dict[str, Any]], idempotency_key: Optional[str] = None) -> List[Dict[str, Any]]:
        """Submits 1 to 100 jobs at once. Each result has ``index`` and ``status``, and either
        ``job`` (a Job) or ``problem`` (the typed ProblemError)."""
        answer = self._t.json("POST", "/v1/jobs/batch", {"jobs": jobs},
                              {"Idempotency-Key": idempotency_key or str(uuid.uuid4())})
        out = []
        for r in answer["results"]:
            item = dict(r)
            if r.get("job"):
                item["job"] = Job.from_dict(r["job"])
            if r.get("problem"):
                item["problem"] = problem(r["problem"].get("status", r["status"]), r["problem"])
            out.append(item)
        return out

    def deliveries(self, job_id: str) -> Dict[str, Any]:
        """Every webhook attempt for the job, and the next one."""
        return self._t.json("GET", "/v1/jobs/%s/deliveries" % q(job_id))

    # --- sandboxes ------------------------------------------------------------------------
    def sandbox(self, **fields: Any) -> "Sandbox":
        """A new sandbox (``image``, ``runtime``, ``ttl_s``, ``idle_timeout_s``, ``env``, ``network``,
        ``snapshot_id`` to start with that snapshot's workspace); use it as a context manager to have
        it deleted."""
        info = SandboxInfo.from_dict(self._t.json("POST", "/v1/sandboxes", fields))
        return Sandbox(self, info)

    def attach(self, sandbox_id: str) -> "Sandbox":
        return Sandbox(self, self.sandbox_info(sandbox_id))

    def sandbox_info(self, sandbox_id: str) -> SandboxInfo:
        return SandboxInfo.from_dict(self._t.json("GET", "/v1/sandboxes/%s" % q(sandbox_id)))

    def sandboxes(self, state: Optional[str] = None) -> List[SandboxInfo]:
        """``live`` (the default), ``ended`` or ``all``."""
        path = "/v1/sandboxes" + ("?state=" + q(state) if state else "")
        return [SandboxInfo.from_dict(s) for s in self._t.json("GET", path)["sandboxes"]]

    # --- snapshots (Sandbox.snapshot() takes one) -----------------------------------------
    def snapshots(self) -> List[Snapshot]:
        """The key's snapshots, oldest first."""
        return [Snapshot.from_dict(s) for s in self._t.json("GET", "/v1/snapshots")["snapshots"]]

    def snapshot_info(self, snapshot_id: str) -> Snapshot:
        return Snapshot.from_dict(self._t.json("GET", "/v1/snapshots/%s" % q(snapshot_id)))

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Deletes it (its file too); NotFoundError when there is no such snapshot."""
        self._t.send("DELETE", "/v1/snapshots/%s" % q(snapshot_id))

    # --- the caller's own -----------------------------------------------------------------
    def quota_usage(self) -> Dict[str, Any]:
        return self._t.json("GET", "/v1/quota/usage")

    def webhook_secret(self) -> str:
        return self._t.json("GET", "/v1/webhook-secret")["secret"]

    def rotate_webhook_secret(self) -> str:
        return self._t.json("POST", "/v1/webhook-secret/rotate")["secret"]


class Sandbox:
    """A sandbox: commands (one at a time, in order), files in /workspace, stats, keepalive, pause
    and resume, snapshots and forks. ``with`` deletes it at the end."""

    def __init__(self, boxq: Boxq, info: SandboxInfo):
        self._b = boxq
        self._t = boxq._t
        self.id = info.id
        self.info = info

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.delete()

    def run(self, command: str, timeout: float = 300.0, **fields: Any) -> Job:
        return self._b.run(command, timeout, sandbox_id=self.id, **fields)

    def submit(self, command: str, **fields: Any) -> Job:
        return self._b.submit(command, sandbox_id=self.id, **fields)

    def upload(self, path: str, content: bytes) -> None:
        """Writes ``content`` to ``path`` (relative to /workspace), byte for byte."""
        self._t.send("PUT", self._files(path), content, {"Content-Type": "application/octet-stream"})

    def download(self, path: str) -> bytes:
        return self._t.send("GET", self._files(path), headers={"Accept": "application/octet-stream"})

    def stats(self) -> Dict[str, Any]:
        return self._t.json("GET", "/v1/sandboxes/%s/stats" % q(self.id))

    def keepalive(self, ttl_s: int) -> SandboxInfo:
        self.info = SandboxInfo.from_dict(self._t.json("POST", "/v1/sandboxes/%s/keepalive" % q(self.id),
                                                       {"ttl_s": ttl_s}))
        return self.info

    def pause(self) -> SandboxInfo:
        """Freezes its processes (files and memory kept, no CPU): state ``paused`` with
        ``paused_at``. A job or file call sent to it resumes it first. ConflictError
        (``sandbox-busy``) when a job still runs after 10 s."""
        self.info = SandboxInfo.from_dict(self._t.json("POST", "/v1/sandboxes/%s/pause" % q(self.id)))
        return self.info

    def resume(self) -> SandboxInfo:
        """Thaws it: state ``ready``. One not paused is answered as it is."""
        self.info = SandboxInfo.from_dict(self._t.json("POST", "/v1/sandboxes/%s/resume" % q(self.id)))
        return self.info

    def snapshot(self) -> Snapshot:
        """Saves its workspace (files, modes, links; never processes); ``bq.sandbox(snapshot_id=…)``
        starts a new sandbox with it. Delete it with ``bq.delete_snapshot(id)``."""
        return Snapshot.from_dict(self._t.json("POST", "/v1/sandboxes/%s/snapshots" % q(self.id)))

    def fork(self, count: int = 1) -> List["Sandbox"]:
        """``count`` (1 to 10) new sandboxes with a copy of its workspace (same image, memory, env,
        node), all or none; each is a Sandbox to delete or use with ``with``."""
        answer = self._t.json("POST", "/v1/sandboxes/%s/fork" % q(self.id), {"count": count})
        return [Sandbox(self._b, SandboxInfo.from_dict(s)) for s in answer["sandboxes"]]

    def refresh(self) -> SandboxInfo:
        self.info = self._b.sandbox_info(self.id)
        return self.info

    def delete(self) -> None:
        """Deletes it; one already gone counts as deleted."""
        try:
            self._t.send("DELETE", "/v1/sandboxes/%s" % q(self.id))
        except (NotFoundError, SandboxEndedError):
            pass

    def _files(self, path: str) -> str:
        return "/v1/sandboxes/%s/files?path=%s" % (q(self.id), q(path))


class Keys:
    """Keys (admin key only)."""

    def __init__(self, transport: Transport):
        self._t = transport

    def create(self, user: str, tier: str = "free", **fields: Any) -> Dict[str, Any]:
        """A new key; its secret is ``["key"]`` of this answer and nowhere else. ``fields``: name,
        webhook_url, max_sandboxes, memory_mb, concurrent_jobs, requests_per_minute."""
        return self._t.json("POST", "/v1/keys", dict(fields, user=user, tier=tier))

    def list(self) -> List[Dict[str, Any]]:
        return self._t.json("GET", "/v1/keys")["keys"]

    def update(self, key_id: str, **changes: Any) -> Dict[str, Any]:
        """tier, a limit (None returns it to the tier's) or webhook_url."""
        return self._t.json("PATCH", "/v1/keys/%s" % q(key_id), changes)

    def revoke(self, key_id: str) -> None:
        self._t.send("DELETE", "/v1/keys/%s" % q(key_id))


class Admin:
    """System stats, overview, cleanup and the audit log (admin key only)."""

    def __init__(self, transport: Transport):
        self._t = transport

    def system_stats(self) -> Dict[str, Any]:
        return self._t.json("GET", "/v1/system/stats")

    def overview(self) -> Dict[str, Any]:
        return self._t.json("GET", "/v1/system/overview")

    def cleanup(self) -> Dict[str, Any]:
        return self._t.json("POST", "/v1/system/cleanup")

    def audit(self, cursor: Optional[str] = None, limit: int = 50) -> Dict[str, Any]:
        return self._t.json("GET", "/v1/audit?limit=%d" % limit + ("&cursor=" + q(cursor) if cursor else ""))
