// Retry-After and idempotency keys, against a loopback stub (the server's window is a minute).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Boxq, RateLimitedError } from "../src/index.js";
import { listen } from "./support.js";

const LIMITED = [429, { "Retry-After": "1", "Content-Type": "application/problem+json" },
  { type: "https://boxq.dev/problems/rate-limited", title: "Too many requests", status: 429 }];
const QUEUED = [202, { "Content-Type": "application/json" }, { id: "job_1", state: "queued" }];

/** A server answering the n-th request with script[n] (the last one for all after it). */
async function stub(script) {
  const requests = [];
  const s = await listen((req, body, res) => {
    requests.push({ at: performance.now(), headers: req.headers });
    const [status, headers, doc] = script[Math.min(requests.length, script.length) - 1];
    res.writeHead(status, headers).end(JSON.stringify(doc));
  });
  return { ...s, requests };
}

test("a 429 is sent again after Retry-After with the same Idempotency-Key", async () => {
  const s = await stub([LIMITED, QUEUED]);
  try {
    const job = await new Boxq(s.url, "bq_test").submit("echo hi");
    assert.equal(job.id, "job_1");
  } finally {
    await s.close();
  }
  const [first, second] = s.requests;
  assert.equal(s.requests.length, 2);
  // Node timers may fire a millisecond early; what matters is that it waited, about the Retry-After.
  assert.ok(second.at - first.at >= 900, `retried after ${second.at - first.at} ms`);
  assert.ok(first.headers["idempotency-key"]);
  assert.equal(second.headers["idempotency-key"], first.headers["idempotency-key"]);
});

test("a 503 with Retry-After is retried too", async () => {
  const s = await stub([[503, { "Retry-After": "1" }, { title: "Unavailable", status: 503 }],
    [200, {}, { id: "job_1", state: "running" }]]);
  try {
    assert.equal((await new Boxq(s.url, "bq_test").get("job_1")).state, "running");
  } finally {
    await s.close();
  }
  assert.equal(s.requests.length, 2);
});

test("retries run out into the typed error with its Retry-After", async () => {
  const s = await stub([LIMITED]);
  try {
    await assert.rejects(new Boxq(s.url, "bq_test", { maxRetries: 1 }).submit("echo hi"), (e) => {
      assert.ok(e instanceof RateLimitedError);
      assert.equal(e.retryAfter, 1);
      return true;
    });
  } finally {
    await s.close();
  }
  assert.equal(s.requests.length, 2);
});

test("a 429 without Retry-After (a quota) is not retried", async () => {
  const s = await stub([[429, { "Content-Type": "application/problem+json" },
    { title: "Quota exceeded", status: 429, limit: "sandboxes" }]]);
  try {
    await assert.rejects(new Boxq(s.url, "bq_test").submit("echo hi"), (e) => e.body.limit === "sandboxes");
  } finally {
    await s.close();
  }
  assert.equal(s.requests.length, 1);
});
