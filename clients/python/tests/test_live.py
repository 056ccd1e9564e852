"""The client against a live boxq (BOXQ_URL, BOXQ_ADMIN_KEY)."""
import http.server
import os
import threading
import unittest
import urllib.parse

from boxq import (Boxq, ForbiddenError, InvalidRequestError, NotFoundError, Output, Result,
                  SandboxEndedError, UnauthorizedError, WebhookVerificationError, verify_webhook)
from tests.support import CuttingProxy, Recorder, new_key, new_user, server

COUNT = "for i in 1 2 3; do echo $i; sleep 1; done"


class LiveTest(unittest.TestCase):
    def test_run_returns_the_commands_output(self):
        job = new_user().run("echo hi")
        self.assertEqual("succeeded", job.state)
        self.assertEqual("hi\n", job.stdout)
        self.assertEqual(0, job.exit_code)

    def test_a_sandbox_round_trips_binary_files_and_is_deleted_after_with(self):
        bq = new_user()
        content = bytes(range(256)) + os.urandom(50000)
        with bq.sandbox() as sb:
            sb.upload("data/blob.bin", content)
            self.assertEqual(str(len(content)), sb.run("cp data/blob.bin copy.bin && wc -c < copy.bin").stdout.strip())
            self.assertEqual(content, sb.download("copy.bin"))
            self.assertIn("now", sb.stats())
            self.assertIsNotNone(sb.keepalive(600).expires_at)
            self.assertIn(sb.id, [s.id for s in bq.sandboxes()])
        self.assertEqual("deleted", bq.sandbox_info(sb.id).state)
        with self.assertRaises(SandboxEndedError):
            sb.download("copy.bin")

    def test_live_output_arrives_as_three_chunks_before_the_result(self):
        bq = new_user()
        events = list(bq.events(bq.submit(COUNT).id))
        self.assertEqual([b"1\n", b"2\n", b"3\n"], [e.data for e in events if isinstance(e, Output)])
        self.assertIsInstance(events[-1], Result)
        self.assertEqual(4, len(events))
        self.assertEqual("1\n2\n3\n", events[-1].job.stdout)

    def test_a_dropped_event_stream_resumes_without_missing_or_duplicate_bytes(self):
        url, _ = server()
        key = new_key()
        job = Boxq(url, key).submit(COUNT)
        proxy = CuttingProxy(urllib.parse.urlsplit(url).port, b"event: stdout")
        try:
            seen = b""
            result = None
            for e in Boxq(proxy.url, key).events(job.id):
                if isinstance(e, Output):
                    self.assertEqual(len(seen), e.offset)
                    seen += e.data
                else:
                    result = e.job
        finally:
            proxy.close()
        self.assertEqual(1, proxy.cuts)
        self.assertGreaterEqual(proxy.connections, 2)
        self.assertEqual(b"1\n2\n3\n", seen)
        self.assertEqual("1\n2\n3\n", result.stdout)

    def test_a_bad_field_is_an_invalid_request_naming_it(self):
        bq = new_user()
        with self.assertRaises(InvalidRequestError) as caught:
            bq.submit("ls", timeout_s=0)
        self.assertEqual(400, caught.exception.status)
        self.assertEqual(["timeout_s"], caught.exception.fields)
        with self.assertRaises(NotFoundError):
            bq.get("job_doesnotexist")

    def test_cancel_list_and_batch(self):
        bq = new_user()
        results = bq.batch([{"command": "echo a"}, {"command": ""}, {"command": "echo c"}])
        self.assertEqual([202, 400, 202], [r["status"] for r in results])
        self.assertEqual(["jobs[1].command"], results[1]["problem"].fields)
        slow = bq.submit("sleep 30")
        bq.cancel(slow.id)
        self.assertEqual("cancelled", bq.wait(slow.id, 30).state)
        ids = {j.id for j in bq.list(page_size=2)}
        self.assertEqual({results[0]["job"].id, results[2]["job"].id, slow.id}, ids)

    def test_keys_admin_and_quota_usage(self):
        url, admin_key = server()
        admin = Boxq(url, admin_key)
        created = admin.keys.create("py-admin-test", "free", name="ci")
        self.assertIn(created["id"], [k["id"] for k in admin.keys.list()])
        self.assertEqual("pro", admin.keys.update(created["id"], tier="pro")["tier"])
        user = Boxq(url, created["key"])
        self.assertEqual("pro", user.quota_usage()["tier"])
        self.assertIn("jobs_by_state", admin.admin.system_stats())
        with self.assertRaises(ForbiddenError):
            user.admin.system_stats()
        admin.keys.revoke(created["id"])
        with self.assertRaises(UnauthorizedError):
            user.quota_usage()

    def test_a_webhook_signed_by_the_server_verifies_and_a_tampered_one_does_not(self):
        got = []
        arrived = threading.Event()

        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()
                arrived.set()

            def log_message(self, *args):
                pass

        receiver = Recorder(Hook).start()
        try:
            bq = new_user()
            job = bq.submit("echo hook", callback_url=receiver.url + "/hook")
            self.assertTrue(arrived.wait(60), "no delivery within 60 s")
        finally:
            receiver.stop()
        headers, body = got[0]
        secret = bq.webhook_secret()
        verify_webhook(secret, headers, body)
        self.assertIn(job.id.encode(), body)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(secret, headers, body.replace(b"hook", b"hack"))


if __name__ == "__main__":
    unittest.main()
