"""Checks webhook deliveries the Standard Webhooks way."""
import base64
import hashlib
import hmac
import time
from typing import Iterable, Mapping, Optional, Union

from .errors import BoxqError

TOLERANCE_S = 300


class WebhookVerificationError(BoxqError):
    """The delivery carries no valid signature of ours: answer 4xx and do not act on it."""


def verify_webhook(secret: Union[str, Iterable[str]], headers: Mapping[str, str], body: bytes,
                   now: Optional[float] = None) -> None:
    """Raises WebhookVerificationError unless one ``v1,`` entry of ``webhook-signature`` is the
    base64 HMAC-SHA256 of ``webhook-id.webhook-timestamp.body`` under ``secret`` (the base64 after
    ``whsec_``; give several during a rotation), and the timestamp is within 5 minutes of now.
    Header names may be in any case."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    timestamp = lower.get("webhook-timestamp")
    signatures = lower.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        seconds = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - seconds) > TOLERANCE_S:
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    if isinstance(body, str):
        body = body.encode("utf-8")
    signed = ("%s.%d." % (msg_id, seconds)).encode("utf-8") + body
    secrets = [secret] if isinstance(secret, str) else list(secret)
    for s in secrets:
        key = base64.b64decode(s[len("whsec_"):] if s.startswith("whsec_") else s)
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
        for entry in signatures.split():
            version, _, sig = entry.partition(",")
            if version == "v1" and hmac.compare_digest(sig, expected):
                return
    raise WebhookVerificationError("no signature matches")
