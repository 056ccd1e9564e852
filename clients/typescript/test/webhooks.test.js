// verifyWebhook accepts what the standardwebhooks package signs, and refuses what it refuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { verifyWebhook, WebhookVerificationError } from "../src/index.js";

const SECRET = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
const OTHER = "whsec_" + Buffer.from("another secret of 32 bytes!!!!!!").toString("base64");
const BODY = '{"type":"job.succeeded","data":{"id":"job_1"}}';

function signed(secret, body, at = new Date()) {
  return {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign("msg_1", at, body),
  };
}

/** True when `fn` runs without throwing. */
const passes = (fn) => { try { fn(); return true; } catch { return false; } };

test("what standardwebhooks signs verifies, with headers in any case", () => {
  const h = signed(SECRET, BODY);
  verifyWebhook(SECRET, h, BODY);
  verifyWebhook(SECRET, Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v])), Buffer.from(BODY));
  verifyWebhook(SECRET, new Headers(h), BODY);
});

test("it refuses exactly what standardwebhooks refuses", () => {
  const old = new Date(Date.now() - 600_000);
  const cases = [
    ["valid", SECRET, signed(SECRET, BODY), BODY],
    ["changed body", SECRET, signed(SECRET, BODY), BODY.replace("job_1", "job_2")],
    ["another secret", OTHER, signed(SECRET, BODY), BODY],
    ["old timestamp", SECRET, signed(SECRET, BODY, old), BODY],
    ["no signature", SECRET, { ...signed(SECRET, BODY), "webhook-signature": "" }, BODY],
    ["several entries, one good", SECRET,
      { ...signed(SECRET, BODY), "webhook-signature": "v1,bm9wZQ== " + signed(SECRET, BODY)["webhook-signature"] }, BODY],
    ["unknown version", SECRET,
      { ...signed(SECRET, BODY), "webhook-signature": signed(SECRET, BODY)["webhook-signature"].replace("v1,", "v2,") }, BODY],
  ];
  for (const [name, secret, headers, body] of cases) {
    const theirs = passes(() => new Webhook(secret).verify(body, headers));
    const ours = passes(() => verifyWebhook(secret, headers, body));
    assert.equal(ours, theirs, name);
  }
  assert.throws(() => verifyWebhook(SECRET, signed(SECRET, BODY), "x"), WebhookVerificationError);
});

test("any of several secrets may match (a rotation)", () => {
  verifyWebhook([SECRET, OTHER], signed(OTHER, BODY), BODY);
});
