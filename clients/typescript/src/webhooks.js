// Checks webhook deliveries the Standard Webhooks way.
import { createHmac, timingSafeEqual } from "node:crypto";
import { BoxqError } from "./errors.js";

export const TOLERANCE_S = 300;

/** The delivery carries no valid signature of ours: answer 4xx and do not act on it. */
export class WebhookVerificationError extends BoxqError {}

/**
 * Throws WebhookVerificationError unless one `v1,` entry of `webhook-signature` is the base64
 * HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under a secret (the base64 after `whsec_`;
 * give several during a rotation) and the timestamp is within 5 minutes of now. `headers` is a
 * plain object (names in any case) or a Headers; `body` the raw body, string or bytes.
 */
export function verifyWebhook(secret, headers, body, { now = Date.now() } = {}) {
  const get = (name) => {
    if (typeof headers.get === "function") return headers.get(name) ?? undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : String(headers[key]);
  };
  const id = get("webhook-id");
  const timestamp = get("webhook-timestamp");
  const signatures = get("webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature");
  }
  if (!/^\d+$/.test(timestamp.trim())) throw new WebhookVerificationError("webhook-timestamp is not a number");
  const seconds = Number(timestamp.trim());
  if (Math.abs(now / 1000 - seconds) > TOLERANCE_S) {
    throw new WebhookVerificationError("webhook-timestamp is too far from now");
  }
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  for (const s of Array.isArray(secret) ? secret : [secret]) {
    const key = Buffer.from(s.startsWith("whsec_") ? s.slice(6) : s, "base64");
    const expected = createHmac("sha256", key).update(`${id}.${seconds}.`).update(payload).digest();
    for (const entry of signatures.trim().split(/ +/)) {
      const [version, sig] = entry.split(",", 2);
      const given = Buffer.from(sig ?? "", "base64");
      if (version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)) return;
    }
  }
  throw new WebhookVerificationError("no signature matches");
}
