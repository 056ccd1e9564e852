"""The one place the client speaks HTTP: key, JSON, problems, retries (internal)."""
import email.utils
import http.client
import json
import time
import urllib.parse
from typing import Any, Dict, Optional, Tuple

from .errors import BoxqConnectionError, BoxqError, problem

_REPEATABLE = {"GET", "PUT", "DELETE", "HEAD"}


def retry_after_seconds(value: Optional[str]) -> Optional[float]:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Transport:
    """Sends requests with the key; retries a 429/503 that has a Retry-After (up to
    ``max_retry_after`` seconds), and a broken connection when the request is safe to repeat
    (GET, PUT, DELETE, or one with an Idempotency-Key)."""

    def __init__(self, base_url: str, api_key: Optional[str], timeout: float, max_retries: int,
                 max_retry_after: float):
        parsed = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parsed.scheme not in ("http", "https"):
            raise ValueError("base_url must be http:// or https://")
        self.scheme = parsed.scheme
        self.netloc = parsed.netloc
        self.prefix = parsed.path
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after

    def connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.netloc, timeout=timeout)

    def headers(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        h = {"Accept": "application/json"}
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        h.update(extra or {})
        return h

    def open(self, method: str, path: str, body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None, timeout: Optional[float] = None
             ) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Sends with retries; returns the open connection and its 2xx response (the caller reads
        and closes both), or raises the typed problem."""
        h = self.headers(headers)
        repeatable = method in _REPEATABLE or "Idempotency-Key" in h
        attempt = 0
        while True:
            conn = self.connection(self.timeout if timeout is None else timeout)
            try:
                conn.request(method, self.prefix + path, body=body, headers=h)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                if not repeatable or attempt >= self.max_retries:
                    raise BoxqConnectionError("%s %s: %s" % (method, path, e)) from e
                time.sleep(min(self.max_retry_after, 0.25 * (2 ** attempt)))
                attempt += 1
                continue
            if resp.status < 400:
                return conn, resp
            data = resp.read()
            conn.close()
            wait = retry_after_seconds(resp.getheader("Retry-After"))
            if resp.status in (429, 503) and wait is not None and attempt < self.max_retries \
                    and wait <= self.max_retry_after:
                time.sleep(wait)
                attempt += 1
                continue
            raise problem(resp.status, _problem_body(resp.status, data), wait)

    def send(self, method: str, path: str, body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None, timeout: Optional[float] = None) -> bytes:
        conn, resp = self.open(method, path, body, headers, timeout)
        try:
            return resp.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, payload: Any = None, headers: Optional[Dict[str, str]] = None,
             timeout: Optional[float] = None) -> Any:
        body = None
        h = dict(headers or {})
        if payload is not None:
            body = json.dumps(payload).encode("utf-8")
            h["Content-Type"] = "application/json"
        data = self.send(method, path, body, h, timeout)
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError as e:
            raise BoxqError("%s %s: the answer is not JSON" % (method, path)) from e


def _problem_body(status: int, data: bytes) -> Dict[str, Any]:
    try:
        doc = json.loads(data) if data else None
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        return doc
    return {"status": status, "title": data.decode("utf-8", "replace") if data else "HTTP %d" % status}


def q(value: str) -> str:
    """``value`` escaped for a path segment or query value."""
    return urllib.parse.quote(value, safe="")
