"""Retry-After and idempotency keys, against a loopback stub (the server's window is a minute)."""
import http.server
import json
import time
import unittest

from boxq import Boxq, RateLimitedError
from tests.support import Recorder


def stub(script):
    """A server answering the n-th request with script[n] = (status, headers, body)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.server.requests.append((time.monotonic(), dict(self.headers.items())))
            status, headers, body = script[min(len(self.server.requests), len(script)) - 1]
            data = json.dumps(body).encode()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    return Recorder(Handler).start()


LIMITED = (429, {"Retry-After": "1", "Content-Type": "application/problem+json"},
           {"type": "https://boxq.dev/problems/rate-limited", "title": "Too many requests", "status": 429})
QUEUED = (202, {"Content-Type": "application/json"}, {"id": "job_1", "state": "queued"})


class RetryTest(unittest.TestCase):
    def test_a_429_is_sent_again_after_retry_after_with_the_same_idempotency_key(self):
        s = stub([LIMITED, QUEUED])
        try:
            job = Boxq(s.url, "bq_test").submit("echo hi")
        finally:
            s.stop()
        self.assertEqual("job_1", job.id)
        (first_at, first), (second_at, second) = s.requests
        self.assertGreaterEqual(second_at - first_at, 0.9)  # waited (about) the Retry-After
        self.assertTrue(first["Idempotency-Key"])
        self.assertEqual(first["Idempotency-Key"], second["Idempotency-Key"])

    def test_a_503_with_retry_after_is_retried_too(self):
        unavailable = (503, {"Retry-After": "1"}, {"title": "Unavailable", "status": 503})
        s = stub([unavailable, (200, {}, {"id": "job_1", "state": "running"})])
        try:
            self.assertEqual("running", Boxq(s.url, "bq_test").get("job_1").state)
        finally:
            s.stop()
        self.assertEqual(2, len(s.requests))

    def test_retries_run_out_into_the_typed_error_with_its_retry_after(self):
        s = stub([LIMITED])
        try:
            with self.assertRaises(RateLimitedError) as caught:
                Boxq(s.url, "bq_test", max_retries=1).submit("echo hi")
        finally:
            s.stop()
        self.assertEqual(2, len(s.requests))
        self.assertEqual(1.0, caught.exception.retry_after)

    def test_a_429_without_retry_after_is_not_retried(self):
        quota = (429, {"Content-Type": "application/problem+json"},
                 {"title": "Quota exceeded", "status": 429, "limit": "sandboxes"})
        s = stub([quota])
        try:
            with self.assertRaises(RateLimitedError) as caught:
                Boxq(s.url, "bq_test").submit("echo hi")
        finally:
            s.stop()
        self.assertEqual(1, len(s.requests))
        self.assertEqual("sandboxes", caught.exception.body["limit"])


if __name__ == "__main__":
    unittest.main()
