"""Pause and resume, snapshots, forks and runtimes against a live boxq (BOXQ_URL, BOXQ_ADMIN_KEY)."""
import contextlib
import unittest
import uuid

from boxq import Boxq, InvalidRequestError, NotFoundError, Sandbox, Snapshot
from tests.support import server

NO_SUCH_RUNTIME = "no-such-runtime"


class SandboxFeaturesTest(unittest.TestCase):
    def setUp(self):
        url, admin_key = server()
        admin = Boxq(url, admin_key)
        created = admin.keys.create("py-" + uuid.uuid4().hex[:8], "pro")
        self.addCleanup(admin.keys.revoke, created["id"])
        self.bq = Boxq(url, created["key"])

    def snapshot_of(self, sb):
        """A snapshot of ``sb``, deleted when the test ends (unless the test deleted it)."""
        snap = sb.snapshot()
        self.addCleanup(self._forget_snapshot, snap.id)
        return snap

    def _forget_snapshot(self, snapshot_id):
        with contextlib.suppress(NotFoundError):
            self.bq.delete_snapshot(snapshot_id)

    def test_a_command_sent_to_a_paused_sandbox_resumes_it_and_says_so(self):
        with self.bq.sandbox() as sb:
            paused = sb.pause()
            self.assertEqual("paused", paused.state)
            self.assertIsNotNone(paused.paused_at)
            self.assertEqual("paused", self.bq.sandbox_info(sb.id).state)

            job = sb.run("echo hi")
            self.assertEqual(("succeeded", "hi\n"), (job.state, job.stdout))
            self.assertIs(True, job.resumed)
            now = sb.refresh()
            self.assertEqual(("ready", None), (now.state, now.paused_at))

            self.assertEqual("paused", sb.pause().state)
            resumed = sb.resume()
            self.assertEqual(("ready", None), (resumed.state, resumed.paused_at))
            again = sb.submit("true")
            self.assertIsNone(again.resumed, "a job in a running sandbox resumes nothing")
            self.assertEqual("succeeded", self.bq.wait(again.id, 60).state)

    def test_a_sandbox_made_from_a_snapshot_sees_the_files_it_saved(self):
        content = b"saved " + uuid.uuid4().hex.encode()
        with self.bq.sandbox() as sb:
            sb.upload("keep/note.txt", content)
            snap = self.snapshot_of(sb)
            self.assertIsInstance(snap, Snapshot)
            self.assertEqual((sb.id, "ready", True), (snap.sandbox_id, snap.state, snap.available))
            self.assertGreaterEqual(snap.size_bytes, len(content))
            self.assertEqual(sb.info.image, snap.image)
            self.assertIsNotNone(snap.expires_at)
            self.assertIsInstance(snap.skipped, list)
            sb.upload("keep/note.txt", b"changed after the snapshot")

        with self.bq.sandbox(snapshot_id=snap.id) as restored:
            self.assertNotEqual(sb.id, restored.id)
            self.assertEqual(content, restored.download("keep/note.txt"))
            self.assertEqual(content.decode(), restored.run("cat keep/note.txt").stdout)
        self.assertEqual("deleted", self.bq.sandbox_info(restored.id).state)

    def test_two_forks_see_the_sources_files_and_then_go_their_own_ways(self):
        with self.bq.sandbox() as sb:
            sb.upload("shared.txt", b"from the source\n")
            with contextlib.ExitStack() as forks_open:
                forks = [forks_open.enter_context(f) for f in sb.fork(2)]
                self.assertEqual(2, len(forks))
                self.assertTrue(all(isinstance(f, Sandbox) for f in forks))
                ids = {f.id for f in forks}
                self.assertEqual(2, len(ids))
                self.assertNotIn(sb.id, ids)
                for i, f in enumerate(forks):
                    self.assertEqual("ready", f.info.state)
                    self.assertEqual(b"from the source\n", f.download("shared.txt"))
                    self.assertEqual(0, f.run("echo fork %d >> shared.txt" % i).exit_code)
                for i, f in enumerate(forks):
                    self.assertEqual("from the source\nfork %d\n" % i, f.run("cat shared.txt").stdout)
                self.assertEqual(b"from the source\n", sb.download("shared.txt"))
            for f in forks:
                self.assertEqual("deleted", self.bq.sandbox_info(f.id).state)

    def test_a_runtime_the_key_may_not_use_is_an_invalid_request_naming_runtime(self):
        with self.assertRaises(InvalidRequestError) as caught:
            self.bq.sandbox(runtime=NO_SUCH_RUNTIME)
        self.assertEqual(["runtime"], caught.exception.fields)
        with self.assertRaises(InvalidRequestError) as caught:
            self.bq.submit("true", runtime=NO_SUCH_RUNTIME)
        self.assertEqual(["runtime"], caught.exception.fields)
        self.assertEqual([], self.bq.sandboxes())
        self.assertEqual([], list(self.bq.list()))

        with self.bq.sandbox() as sb:                    # the key's default runtime, named
            runtime = sb.info.runtime
            self.assertTrue(runtime)
        with self.bq.sandbox(runtime=runtime) as sb:
            self.assertEqual(runtime, sb.info.runtime)
        job = self.bq.run("echo ok", runtime=runtime)
        self.assertEqual(("succeeded", runtime), (job.state, job.runtime))

    def test_snapshots_are_listed_read_and_deleted(self):
        with self.bq.sandbox() as sb:
            sb.upload("a.txt", b"a")
            first = self.snapshot_of(sb)
            second = self.snapshot_of(sb)
        self.assertEqual([first.id, second.id], [s.id for s in self.bq.snapshots()])
        read = self.bq.snapshot_info(first.id)
        self.assertEqual((first.id, sb.id, first.size_bytes, first.created_at),
                         (read.id, read.sandbox_id, read.size_bytes, read.created_at))

        self.bq.delete_snapshot(first.id)
        self.assertEqual([second.id], [s.id for s in self.bq.snapshots()])
        with self.assertRaises(NotFoundError):
            self.bq.snapshot_info(first.id)
        with self.assertRaises(NotFoundError):
            self.bq.delete_snapshot(first.id)
        with self.assertRaises(NotFoundError):
            self.bq.sandbox(snapshot_id=first.id)
        self.bq.delete_snapshot(second.id)
        self.assertEqual([], self.bq.snapshots())


if __name__ == "__main__":
    unittest.main()
