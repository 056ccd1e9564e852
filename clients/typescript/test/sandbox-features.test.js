// Pause and resume, snapshots, forks and runtimes against a live boxq (BOXQ_URL, BOXQ_ADMIN_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Boxq, InvalidRequestError, NotFoundError, Sandbox } from "../src/index.js";
import { server } from "./support.js";

const NO_SUCH_RUNTIME = "no-such-runtime";
const text = (bytes) => Buffer.from(bytes).toString("utf8");

/** A client with a key of its own, revoked when the test ends; snapshots it names are deleted then too. */
async function ownUser(t) {
  const { url, admin: adminKey } = server();
  const admin = new Boxq(url, adminKey);
  const created = await admin.keys.create(`ts-${randomUUID().slice(0, 8)}`, "pro");
  const bq = new Boxq(url, created.key);
  const snapshots = [];
  t.after(async () => {
    for (const id of snapshots) {
      await bq.deleteSnapshot(id).catch((e) => { if (!(e instanceof NotFoundError)) throw e; });
    }
    await admin.keys.revoke(created.id);
  });
  return { bq, cleanUpSnapshot: (id) => snapshots.push(id) };
}

/** Runs `body(sandbox)` and closes the sandbox after, whatever happened. */
async function withSandbox(sb, body) {
  try {
    return await body(sb);
  } finally {
    await sb.close();
  }
}

test("a command sent to a paused sandbox resumes it and says so", async (t) => {
  const { bq } = await ownUser(t);
  await withSandbox(await bq.sandbox(), async (sb) => {
    const paused = await sb.pause();
    assert.equal(paused.state, "paused");
    assert.ok(paused.paused_at);
    assert.equal(sb.info.state, "paused");
    assert.equal((await bq.sandboxInfo(sb.id)).state, "paused");

    const job = await sb.run("echo hi");
    assert.deepEqual([job.state, job.stdout], ["succeeded", "hi\n"]);
    assert.equal(job.resumed, true);
    const now = await bq.sandboxInfo(sb.id);
    assert.equal(now.state, "ready");
    assert.equal(now.paused_at, undefined);

    assert.equal((await sb.pause()).state, "paused");
    const resumed = await sb.resume();
    assert.equal(resumed.state, "ready");
    assert.equal(resumed.paused_at, undefined);
    const again = await sb.submit("true");
    assert.equal(again.resumed, undefined, "a job in a running sandbox resumes nothing");
    assert.equal((await bq.wait(again.id, { timeoutS: 60 })).state, "succeeded");
  });
});

test("a sandbox made from a snapshot sees the files it saved", async (t) => {
  const { bq, cleanUpSnapshot } = await ownUser(t);
  const content = `saved ${randomUUID()}`;
  let source;
  const snap = await withSandbox(await bq.sandbox(), async (sb) => {
    source = sb;
    await sb.upload("keep/note.txt", content);
    const taken = await sb.snapshot();
    cleanUpSnapshot(taken.id);
    assert.deepEqual([taken.sandbox_id, taken.state, taken.available], [sb.id, "ready", true]);
    assert.ok(taken.size_bytes >= content.length);
    assert.equal(taken.image, sb.info.image);
    assert.ok(taken.expires_at);
    assert.ok(Array.isArray(taken.skipped));
    await sb.upload("keep/note.txt", "changed after the snapshot");
    return taken;
  });

  const restored = await bq.sandbox({ snapshot_id: snap.id });
  await withSandbox(restored, async () => {
    assert.notEqual(restored.id, source.id);
    assert.equal(text(await restored.download("keep/note.txt")), content);
    assert.equal((await restored.run("cat keep/note.txt")).stdout, content);
  });
  assert.equal((await bq.sandboxInfo(restored.id)).state, "deleted");
});

test("two forks see the source's files and then go their own ways", async (t) => {
  const { bq } = await ownUser(t);
  await withSandbox(await bq.sandbox(), async (sb) => {
    await sb.upload("shared.txt", "from the source\n");
    const forks = await sb.fork(2);
    try {
      assert.equal(forks.length, 2);
      assert.ok(forks.every((f) => f instanceof Sandbox));
      const ids = new Set(forks.map((f) => f.id));
      assert.equal(ids.size, 2);
      assert.ok(!ids.has(sb.id));
      for (const [i, f] of forks.entries()) {
        assert.equal(f.info.state, "ready");
        assert.equal(text(await f.download("shared.txt")), "from the source\n");
        assert.equal((await f.run(`echo fork ${i} >> shared.txt`)).exit_code, 0);
      }
      for (const [i, f] of forks.entries()) {
        assert.equal((await f.run("cat shared.txt")).stdout, `from the source\nfork ${i}\n`);
      }
      assert.equal(text(await sb.download("shared.txt")), "from the source\n");
    } finally {
      for (const f of forks) await f.close();
    }
    for (const f of forks) assert.equal((await bq.sandboxInfo(f.id)).state, "deleted");
  });
});

test("a runtime the key may not use is an InvalidRequestError naming runtime", async (t) => {
  const { bq } = await ownUser(t);
  const namingRuntime = (e) => {
    assert.ok(e instanceof InvalidRequestError, String(e));
    assert.deepEqual(e.fields, ["runtime"]);
    return true;
  };
  await assert.rejects(bq.sandbox({ runtime: NO_SUCH_RUNTIME }), namingRuntime);
  await assert.rejects(bq.submit("true", { runtime: NO_SUCH_RUNTIME }), namingRuntime);
  assert.deepEqual(await bq.sandboxes(), []);
  const jobs = [];
  for await (const j of bq.list()) jobs.push(j);
  assert.deepEqual(jobs, []);

  const runtime = await withSandbox(await bq.sandbox(), async (sb) => sb.info.runtime); // the key's default
  assert.ok(runtime);
  await withSandbox(await bq.sandbox({ runtime }), async (sb) => assert.equal(sb.info.runtime, runtime));
  const job = await bq.run("echo ok", { runtime });
  assert.deepEqual([job.state, job.runtime], ["succeeded", runtime]);
});

test("snapshots are listed, read and deleted", async (t) => {
  const { bq, cleanUpSnapshot } = await ownUser(t);
  let source;
  const [first, second] = await withSandbox(await bq.sandbox(), async (sb) => {
    source = sb;
    await sb.upload("a.txt", "a");
    const taken = [];
    for (let i = 0; i < 2; i++) {
      taken.push(await sb.snapshot());
      cleanUpSnapshot(taken[i].id);
    }
    return taken;
  });
  assert.deepEqual((await bq.snapshots()).map((s) => s.id), [first.id, second.id]);
  const read = await bq.snapshotInfo(first.id);
  assert.deepEqual([read.id, read.sandbox_id, read.size_bytes, read.created_at],
    [first.id, source.id, first.size_bytes, first.created_at]);

  await bq.deleteSnapshot(first.id);
  assert.deepEqual((await bq.snapshots()).map((s) => s.id), [second.id]);
  await assert.rejects(bq.snapshotInfo(first.id), NotFoundError);
  await assert.rejects(bq.deleteSnapshot(first.id), NotFoundError);
  await assert.rejects(bq.sandbox({ snapshot_id: first.id }), NotFoundError);
  await bq.deleteSnapshot(second.id);
  assert.deepEqual(await bq.snapshots(), []);
});
