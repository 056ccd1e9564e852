"""Errors: every answer that is not 2xx is a ProblemError typed by its status."""
from typing import Any, Dict, List, Optional


class BoxqError(Exception):
    """Every error this client raises."""


class BoxqConnectionError(BoxqError):
    """The server could not be reached, or the connection broke, after the retries."""


class ProblemError(BoxqError):
    """An application/problem+json answer, with its fields.

    ``errors`` is the list of ``{"field", "message"}`` of a 400; ``retry_after`` the answer's
    Retry-After in seconds (when the client's own retries ran out); ``body`` the whole document.
    """

    def __init__(self, status: int, body: Dict[str, Any], retry_after: Optional[float] = None):
        self.status = status
        self.type = body.get("type")
        self.title = body.get("title")
        self.detail = body.get("detail")
        self.errors: List[Dict[str, str]] = list(body.get("errors") or [])
        self.retry_after = retry_after
        self.body = body
        super().__init__("%d %s%s" % (status, self.title or "", ": " + self.detail if self.detail else ""))

    @property
    def fields(self) -> List[str]:
        """The names of the fields at fault, e.g. ``["timeout_s"]``."""
        return [e.get("field") for e in self.errors]


class InvalidRequestError(ProblemError):
    """400: a field at fault (``errors`` names each)."""


class UnauthorizedError(ProblemError):
    """401: no key, or an unknown or revoked one."""


class ForbiddenError(ProblemError):
    """403: an admin route with a key that is not the admin key."""


class NotFoundError(ProblemError):
    """404: no such job, sandbox or key for this key."""


class ConflictError(ProblemError):
    """409: a sandbox not ready, a job already ended, an idempotency key reused with another body."""


class SandboxEndedError(ProblemError):
    """410: the sandbox has ended; ``detail`` says how and why."""


class RateLimitedError(ProblemError):
    """429: the key's rate limit (``retry_after``) or a quota (``body["limit"]`` names it)."""


class UnavailableError(ProblemError):
    """503: Redis or the sandbox's node is unreachable right now."""


_BY_STATUS = {
    400: InvalidRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    410: SandboxEndedError,
    429: RateLimitedError,
    503: UnavailableError,
}


def problem(status: int, body: Dict[str, Any], retry_after: Optional[float] = None) -> ProblemError:
    """The typed error of a problem document."""
    return _BY_STATUS.get(status, ProblemError)(status, body, retry_after)
