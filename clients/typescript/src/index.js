// boxq: run shell commands for AI agents in warm, locked-down sandboxes. No runtime dependency:
// the global fetch (Node 18+), SSE parsed from the body stream, node:crypto for webhooks.
import { randomUUID } from "node:crypto";
import { NotFoundError, SandboxEndedError, problem } from "./errors.js";
import { follow } from "./events.js";
import { Transport, q } from "./transport.js";

export * from "./errors.js";
export { verifyWebhook, WebhookVerificationError } from "./webhooks.js";

export const ENDED_STATES = new Set(["succeeded", "failed", "timed_out", "cancelled", "error"]);
const MAX_POLL_S = 60; // the server's longest long-poll

/** The job's stdout as bytes (decoding base64 when stdout_encoding says so). */
export function stdoutBytes(job) {
  return outputBytes(job.stdout, job.stdout_encoding);
}

export function stderrBytes(job) {
  return outputBytes(job.stderr, job.stderr_encoding);
}

function outputBytes(text, encoding) {
  if (text == null) return new Uint8Array();
  return new Uint8Array(Buffer.from(text, encoding === "base64" ? "base64" : "utf8"));
}

/**
 * One server and key. A 429 or 503 with a Retry-After of at most `maxRetryAfterS` is sent again
 * after that long (up to `maxRetries` times), and so is a request safe to repeat whose connection
 * failed; every submit carries an Idempotency-Key, so a retry never queues a job twice.
 */
export class Boxq {
  constructor(baseUrl, apiKey, options = {}) {
    this.transport = new Transport(baseUrl, apiKey, options);
    this.keys = new Keys(this.transport);
    this.admin = new Admin(this.transport);
  }

  /**
   * Queues `command`; `fields` are the other fields of POST /v1/jobs (`runtime` among them: one the
   * key may not use is an InvalidRequestError naming `runtime`).
   */
  submit(command, fields = {}, { idempotencyKey = randomUUID() } = {}) {
    return this.transport.json("POST", "/v1/jobs", { ...fields, command },
      { headers: { "Idempotency-Key": idempotencyKey } });
  }

  /** The job; with `wait` (at most 60 s) held until it ends or that long passes. */
  get(jobId, { wait = 0 } = {}) {
    return this.transport.json("GET", `/v1/jobs/${q(jobId)}${wait ? `?wait=${wait}` : ""}`, undefined,
      { timeoutMs: this.transport.timeoutMs + wait * 1000 });
  }

  /** Long-polls until the job ends or `timeoutS` passes, whatever its length; returns the job either way. */
  async wait(jobId, { timeoutS = 300 } = {}) {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const left = Math.floor(Math.max(0, Math.min(MAX_POLL_S, (deadline - Date.now()) / 1000)));
      const job = await this.get(jobId, { wait: left });
      if (ENDED_STATES.has(job.state) || left === 0) return job;
    }
  }

  /** Submits and waits for the end (up to `timeoutS`, default 300). */
  async run(command, fields = {}, { timeoutS = 300 } = {}) {
    const submitted = await this.submit(command, fields);
    return this.wait(submitted.id, { timeoutS });
  }

  /** Live output chunks, then the result; resumes by itself after a dropped connection. */
  events(jobId, { lastEventId } = {}) {
    return follow(this.transport, jobId, lastEventId, this.transport.maxRetries);
  }

  /** Cancels a queued or running job; ConflictError once it ended. */
  cancel(jobId) {
    return this.transport.json("POST", `/v1/jobs/${q(jobId)}/cancel`);
  }

  /** The key's jobs, newest first, page by page as they are read. */
  async* list({ state, pageSize = 100 } = {}) {
    let cursor;
    do {
      let path = `/v1/jobs?limit=${pageSize}`;
      if (state) path += `&state=${q(state)}`;
      if (cursor) path += `&cursor=${q(cursor)}`;
      const page = await this.transport.json("GET", path);
      yield* page.jobs;
      cursor = page.next_cursor;
    } while (cursor);
  }

  /** 1 to 100 jobs at once; each result has `index`, `status` and `job`, or `problem` as the typed error. */
  async batch(jobs, { idempotencyKey = randomUUID() } = {}) {
    const answer = await this.transport.json("POST", "/v1/jobs/batch", { jobs },
      { headers: { "Idempotency-Key": idempotencyKey } });
    return answer.results.map((r) => (r.problem ? { ...r, problem: problem(r.problem.status ?? r.status, r.problem) } : r));
  }

  deliveries(jobId) {
    return this.transport.json("GET", `/v1/jobs/${q(jobId)}/deliveries`);
  }

  /**
   * A new sandbox (`image`, `runtime`, `ttl_s`, `idle_timeout_s`, `env`, `network`, `snapshot_id` to
   * start with that snapshot's workspace); `await using` or close() deletes it.
   */
  async sandbox(fields = {}) {
    return new Sandbox(this, await this.transport.json("POST", "/v1/sandboxes", fields));
  }

  async attach(sandboxId) {
    return new Sandbox(this, await this.sandboxInfo(sandboxId));
  }

  sandboxInfo(sandboxId) {
    return this.transport.json("GET", `/v1/sandboxes/${q(sandboxId)}`);
  }

  /** `live` (the default), `ended` or `all`. */
  async sandboxes({ state } = {}) {
    return (await this.transport.json("GET", `/v1/sandboxes${state ? `?state=${q(state)}` : ""}`)).sandboxes;
  }

  /** The key's snapshots, oldest first (Sandbox.snapshot() takes one). */
  async snapshots() {
    return (await this.transport.json("GET", "/v1/snapshots")).snapshots;
  }

  snapshotInfo(snapshotId) {
    return this.transport.json("GET", `/v1/snapshots/${q(snapshotId)}`);
  }

  /** Deletes it (its file too); NotFoundError when there is no such snapshot. */
  async deleteSnapshot(snapshotId) {
    await this.transport.bytes("DELETE", `/v1/snapshots/${q(snapshotId)}`);
  }

  quotaUsage() {
    return this.transport.json("GET", "/v1/quota/usage");
  }

  async webhookSecret() {
    return (await this.transport.json("GET", "/v1/webhook-secret")).secret;
  }

  async rotateWebhookSecret() {
    return (await this.transport.json("POST", "/v1/webhook-secret/rotate")).secret;
  }
}

/**
 * A sandbox: commands (one at a time, in order), files in /workspace, stats, keepalive, pause and
 * resume, snapshots and forks.
 */
export class Sandbox {
  constructor(boxq, info) {
    this.boxq = boxq;
    this.id = info.id;
    this.info = info;
  }

  run(command, fields = {}, options) {
    return this.boxq.run(command, { ...fields, sandbox_id: this.id }, options);
  }

  submit(command, fields = {}) {
    return this.boxq.submit(command, { ...fields, sandbox_id: this.id });
  }

  /** Writes `content` (bytes or a string) to `path`, relative to /workspace, byte for byte. */
  async upload(path, content) {
    await this.boxq.transport.bytes("PUT", this.#files(path),
      { body: content, headers: { "Content-Type": "application/octet-stream" } });
  }

  download(path) {
    return this.boxq.transport.bytes("GET", this.#files(path), { headers: { Accept: "application/octet-stream" } });
  }

  stats() {
    return this.boxq.transport.json("GET", `/v1/sandboxes/${q(this.id)}/stats`);
  }

  async keepalive(ttlS) {
    this.info = await this.boxq.transport.json("POST", `/v1/sandboxes/${q(this.id)}/keepalive`, { ttl_s: ttlS });
    return this.info;
  }

  /**
   * Freezes its processes (files and memory kept, no CPU): `state` `paused` with `paused_at`. A job
   * or file call sent to it resumes it first. ConflictError (sandbox-busy) when a job still runs after 10 s.
   */
  async pause() {
    this.info = await this.boxq.transport.json("POST", `/v1/sandboxes/${q(this.id)}/pause`);
    return this.info;
  }

  /** Thaws it: `state` `ready`. One not paused is answered as it is. */
  async resume() {
    this.info = await this.boxq.transport.json("POST", `/v1/sandboxes/${q(this.id)}/resume`);
    return this.info;
  }

  /**
   * Saves its workspace (files, modes, links; never processes); `bq.sandbox({ snapshot_id })` starts
   * a new sandbox with it. Delete it with `bq.deleteSnapshot(id)`.
   */
  snapshot() {
    return this.boxq.transport.json("POST", `/v1/sandboxes/${q(this.id)}/snapshots`);
  }

  /**
   * `count` (1 to 10) new sandboxes with a copy of its workspace (same image, memory, env, node), all
   * or none; each is a Sandbox to close (or `await using`).
   */
  async fork(count = 1) {
    const answer = await this.boxq.transport.json("POST", `/v1/sandboxes/${q(this.id)}/fork`, { count });
    return answer.sandboxes.map((info) => new Sandbox(this.boxq, info));
  }

  /** Deletes it; one already gone counts as deleted. */
  async close() {
    try {
      await this.boxq.transport.bytes("DELETE", `/v1/sandboxes/${q(this.id)}`);
    } catch (e) {
      if (!(e instanceof NotFoundError || e instanceof SandboxEndedError)) throw e;
    }
  }

  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")]() {
    await this.close();
  }

  #files(path) {
    return `/v1/sandboxes/${q(this.id)}/files?path=${q(path)}`;
  }
}

/** Keys (admin key only). */
export class Keys {
  constructor(transport) {
    this.transport = transport;
  }

  /** A new key; its secret is `.key` of this answer and nowhere else. */
  create(user, tier = "free", fields = {}) {
    return this.transport.json("POST", "/v1/keys", { ...fields, user, tier });
  }

  async list() {
    return (await this.transport.json("GET", "/v1/keys")).keys;
  }

  /** tier, a limit (null returns it to the tier's) or webhook_url. */
  update(keyId, changes) {
    return this.transport.json("PATCH", `/v1/keys/${q(keyId)}`, changes);
  }

  async revoke(keyId) {
    await this.transport.bytes("DELETE", `/v1/keys/${q(keyId)}`);
  }
}

/** System stats, overview, cleanup and the audit log (admin key only). */
export class Admin {
  constructor(transport) {
    this.transport = transport;
  }

  systemStats() {
    return this.transport.json("GET", "/v1/system/stats");
  }

  overview() {
    return this.transport.json("GET", "/v1/system/overview");
  }

  cleanup() {
    return this.transport.json("POST", "/v1/system/cleanup");
  }

  audit({ cursor, limit = 50 } = {}) {
    return this.transport.json("GET", `/v1/audit?limit=${limit}${cursor ? `&cursor=${q(cursor)}` : ""}`);
  }
}
