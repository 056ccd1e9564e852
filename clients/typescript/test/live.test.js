// The client against a live boxq (BOXQ_URL, BOXQ_ADMIN_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import {
  Boxq, ForbiddenError, InvalidRequestError, NotFoundError, SandboxEndedError, UnauthorizedError,
  WebhookVerificationError, verifyWebhook,
} from "../src/index.js";
import { cuttingProxy, listen, newKey, newUser, server } from "./support.js";

const COUNT = "for i in 1 2 3; do echo $i; sleep 1; done";
const text = (bytes) => Buffer.from(bytes).toString("utf8");

test("run returns the command's output", async () => {
  const job = await (await newUser()).run("echo hi");
  assert.equal(job.state, "succeeded");
  assert.equal(job.stdout, "hi\n");
  assert.equal(job.exit_code, 0);
});

test("a sandbox round-trips binary files byte for byte and is deleted when closed", async () => {
  const bq = await newUser();
  const content = Buffer.concat([Buffer.from([...Array(256).keys()]), randomBytes(50_000)]);
  const sb = await bq.sandbox();
  try {
    await sb.upload("data/blob.bin", content);
    const wc = await sb.run("cp data/blob.bin copy.bin && wc -c < copy.bin");
    assert.equal(wc.stdout.trim(), String(content.length));
    assert.deepEqual(Buffer.from(await sb.download("copy.bin")), content);
    assert.ok("now" in (await sb.stats()));
    assert.ok((await sb.keepalive(600)).expires_at);
    assert.ok((await bq.sandboxes()).some((s) => s.id === sb.id));
  } finally {
    await sb.close();
  }
  assert.equal((await bq.sandboxInfo(sb.id)).state, "deleted");
  await assert.rejects(sb.download("copy.bin"), SandboxEndedError);
});

test("live output arrives as three chunks before the result", async () => {
  const bq = await newUser();
  const events = [];
  for await (const e of bq.events((await bq.submit(COUNT)).id)) events.push(e);
  assert.deepEqual(events.slice(0, 3).map((e) => [e.type, text(e.data)]),
    [["stdout", "1\n"], ["stdout", "2\n"], ["stdout", "3\n"]]);
  assert.equal(events.length, 4);
  assert.equal(events[3].type, "result");
  assert.equal(events[3].job.stdout, "1\n2\n3\n");
});

test("a dropped event stream resumes without missing or duplicate bytes", async () => {
  const { url } = server();
  const key = await newKey();
  const job = await new Boxq(url, key).submit(COUNT);
  const proxy = await cuttingProxy(Number(new URL(url).port), "event: stdout");
  let seen = Buffer.alloc(0);
  let result;
  try {
    for await (const e of new Boxq(proxy.url, key).events(job.id)) {
      if (e.type === "result") {
        result = e.job;
      } else {
        assert.equal(e.offset, seen.length);
        seen = Buffer.concat([seen, e.data]);
      }
    }
  } finally {
    await proxy.close();
  }
  assert.equal(proxy.cuts, 1);
  assert.ok(proxy.connections >= 2);
  assert.equal(text(seen), "1\n2\n3\n");
  assert.equal(result.stdout, "1\n2\n3\n");
});

test("a bad field is an InvalidRequestError naming it", async () => {
  const bq = await newUser();
  await assert.rejects(bq.submit("ls", { timeout_s: 0 }), (e) => {
    assert.ok(e instanceof InvalidRequestError);
    assert.equal(e.status, 400);
    assert.deepEqual(e.fields, ["timeout_s"]);
    return true;
  });
  await assert.rejects(bq.get("job_doesnotexist"), NotFoundError);
});

test("cancel, list following the cursor, and batch", async () => {
  const bq = await newUser();
  const results = await bq.batch([{ command: "echo a" }, { command: "" }, { command: "echo c" }]);
  assert.deepEqual(results.map((r) => r.status), [202, 400, 202]);
  assert.ok(results[1].problem instanceof InvalidRequestError);
  assert.deepEqual(results[1].problem.fields, ["jobs[1].command"]);
  const slow = await bq.submit("sleep 30");
  await bq.cancel(slow.id);
  assert.equal((await bq.wait(slow.id, { timeoutS: 30 })).state, "cancelled");
  const ids = [];
  for await (const j of bq.list({ pageSize: 2 })) ids.push(j.id);
  assert.deepEqual(ids.sort(), [results[0].job.id, results[2].job.id, slow.id].sort());
});

test("keys, admin and quota usage", async () => {
  const { url, admin: adminKey } = server();
  const admin = new Boxq(url, adminKey);
  const created = await admin.keys.create("ts-admin-test", "free", { name: "ci" });
  assert.ok((await admin.keys.list()).some((k) => k.id === created.id));
  assert.equal((await admin.keys.update(created.id, { tier: "pro" })).tier, "pro");
  const user = new Boxq(url, created.key);
  assert.equal((await user.quotaUsage()).tier, "pro");
  assert.ok("jobs_by_state" in (await admin.admin.systemStats()));
  await assert.rejects(user.admin.systemStats(), ForbiddenError);
  await admin.keys.revoke(created.id);
  await assert.rejects(user.quotaUsage(), UnauthorizedError);
});

test("a webhook signed by the server verifies (here and with standardwebhooks), a tampered one does not", async () => {
  let delivered;
  const arrived = new Promise((resolve) => { delivered = resolve; });
  const receiver = await listen((req, body, res) => {
    res.writeHead(204).end();
    delivered({ headers: req.headers, body });
  });
  const bq = await newUser();
  let hook;
  let job;
  try {
    job = await bq.submit("echo hook", { callback_url: `${receiver.url}/hook` });
    hook = await arrived;
  } finally {
    await receiver.close();
  }
  const secret = await bq.webhookSecret();
  verifyWebhook(secret, hook.headers, hook.body);
  new Webhook(secret).verify(hook.body.toString("utf8"), hook.headers);
  assert.ok(hook.body.toString("utf8").includes(job.id));
  const tampered = Buffer.from(hook.body.toString("utf8").replace("hook", "hack"));
  assert.throws(() => verifyWebhook(secret, hook.headers, tampered), WebhookVerificationError);
});
