"""boxq: run shell commands for AI agents in warm, locked-down sandboxes (standard library only).

    from boxq import Boxq
    bq = Boxq("http://localhost:8080", api_key)
    print(bq.run("echo hi").stdout)
"""
from .client import Admin, Boxq, Keys, Sandbox
from .errors import (BoxqConnectionError, BoxqError, ConflictError, ForbiddenError, InvalidRequestError,
                     NotFoundError, ProblemError, RateLimitedError, SandboxEndedError, UnauthorizedError,
                     UnavailableError)
from .models import Job, Output, Result, SandboxInfo, Snapshot
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "Admin", "Boxq", "BoxqConnectionError", "BoxqError", "ConflictError", "ForbiddenError",
    "InvalidRequestError", "Job", "Keys", "NotFoundError", "Output", "ProblemError", "RateLimitedError",
    "Result", "Sandbox", "SandboxEndedError", "SandboxInfo", "Snapshot", "UnauthorizedError", "UnavailableError",
    "WebhookVerificationError", "verify_webhook",
]
__version__ = "0.1.0"
