"""What the server answers, as typed records (unknown fields are kept in ``raw``)."""
import base64
import dataclasses
from typing import Any, Dict, List, Optional

ENDED_STATES = frozenset(["succeeded", "failed", "timed_out", "cancelled", "error"])


def _build(cls, data: Dict[str, Any]):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(raw=data, **{k: v for k, v in data.items() if k in names and k != "raw"})


@dataclasses.dataclass
class Job:
    """A job as ``GET /v1/jobs/{id}`` shows it. Output that is not UTF-8 is base64 with
    ``stdout_encoding == "base64"``: ``stdout_bytes()`` decodes either. ``resumed`` is True when its
    sandbox was paused when it was submitted, so that it was resumed first; ``runtime`` is the runtime that ran it (``runc``, ``runsc``, …)."""
    id: str
    state: str
    command: Optional[str] = None
    sandbox_id: Optional[str] = None
    image: Optional[str] = None
    runtime: Optional[str] = None
    exit_code: Optional[int] = None
    stdout: Optional[str] = None
    stderr: Optional[str] = None
    stdout_encoding: Optional[str] = None
    stderr_encoding: Optional[str] = None
    stdout_truncated: Optional[bool] = None
    stderr_truncated: Optional[bool] = None
    error: Optional[str] = None
    attempt: Optional[int] = None
    node: Optional[str] = None
    metadata: Optional[Dict[str, str]] = None
    queued_at: Optional[str] = None
    started_at: Optional[str] = None
    finished_at: Optional[str] = None
    duration_ms: Optional[int] = None
    cpu_ms: Optional[int] = None
    resumed: Optional[bool] = None
    raw: Dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Job":
        return _build(cls, data)

    @property
    def ended(self) -> bool:
        """True once the job is in an end state."""
        return self.state in ENDED_STATES

    def stdout_bytes(self) -> bytes:
        return _bytes(self.stdout, self.stdout_encoding)

    def stderr_bytes(self) -> bytes:
        return _bytes(self.stderr, self.stderr_encoding)


@dataclasses.dataclass
class SandboxInfo:
    """A sandbox as ``GET /v1/sandboxes/{id}`` shows it (``creating``/``ready``/``paused`` while it
    lives, ``paused_at`` while paused; ``terminated``, ``expired``, ``deleted`` or ``lost`` once ended)."""
    id: str
    state: str
    image: Optional[str] = None
    runtime: Optional[str] = None
    memory_mb: Optional[int] = None
    node: Optional[str] = None
    env: Optional[Dict[str, str]] = None
    created_at: Optional[str] = None
    last_activity_at: Optional[str] = None
    idle_timeout_s: Optional[int] = None
    expires_at: Optional[str] = None
    max_expires_at: Optional[str] = None
    error: Optional[str] = None
    violations: Optional[List[Dict[str, Any]]] = None
    ended_at: Optional[str] = None
    end_reason: Optional[str] = None
    paused_at: Optional[str] = None
    raw: Dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "SandboxInfo":
        return _build(cls, data)


@dataclasses.dataclass
class Snapshot:
    """A sandbox's workspace saved by ``Sandbox.snapshot()`` (files, modes, links; never processes),
    as ``GET /v1/snapshots/{id}`` shows it. ``available``: a sandbox can be made from it now
    (``bq.sandbox(snapshot_id=...)``); ``skipped``: workspace paths not saved (FIFOs, sockets)."""
    id: str
    state: str
    sandbox_id: Optional[str] = None
    size_bytes: Optional[int] = None
    created_at: Optional[str] = None
    expires_at: Optional[str] = None
    image: Optional[str] = None
    runtime: Optional[str] = None
    node: Optional[str] = None
    shared: Optional[bool] = None
    available: Optional[bool] = None
    skipped: Optional[List[str]] = None
    raw: Dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Snapshot":
        return _build(cls, data)


@dataclasses.dataclass
class Output:
    """A chunk of live output: ``stream`` is ``stdout`` or ``stderr``, ``offset`` where it starts
    in that stream, ``id`` the event id to resume after (``<stdout bytes>.<stderr bytes>``)."""
    stream: str
    offset: int
    data: bytes
    id: Optional[str]


@dataclasses.dataclass
class Result:
    """The job once it ended: the last event of a stream."""
    job: Job


def _bytes(text: Optional[str], encoding: Optional[str]) -> bytes:
    if text is None:
        return b""
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")
