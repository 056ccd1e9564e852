// Types of the boxq client (hand-written; the code is plain ES modules with no build step).

export type JobState = "queued" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "error";

/** A job as GET /v1/jobs/{id} shows it. Output that is not UTF-8 is base64 with *_encoding "base64". */
export interface Job {
  id: string;
  state: JobState;
  command?: string;
  sandbox_id?: string | null;
  image?: string | null;
  /** The OCI runtime that ran it: `runc`, `runsc` (gVisor), … */
  runtime?: string | null;
  exit_code?: number | null;
  stdout?: string | null;
  stderr?: string | null;
  stdout_encoding?: "base64" | null;
  stderr_encoding?: "base64" | null;
  stdout_truncated?: boolean | null;
  stderr_truncated?: boolean | null;
  error?: string | null;
  attempt?: number;
  node?: string | null;
  metadata?: Record<string, string> | null;
  queued_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  duration_ms?: number | null;
  cpu_ms?: number | null;
  /** Its sandbox was paused when it was submitted, so that it was resumed first. */
  resumed?: boolean;
  [field: string]: unknown;
}

/** What POST /v1/jobs takes besides `command`. */
export interface JobFields {
  sandbox_id?: string;
  image?: string;
  /** One of the key's runtimes (not with sandbox_id); another is a 400 naming `runtime`. */
  runtime?: string;
  env?: Record<string, string>;
  workdir?: string;
  stdin?: string;
  timeout_s?: number;
  callback_url?: string;
  metadata?: Record<string, string>;
  max_attempts?: number;
}

export interface SandboxInfo {
  id: string;
  state: "creating" | "ready" | "paused" | "error" | "terminated" | "expired" | "deleted" | "lost";
  image?: string;
  runtime?: string;
  memory_mb?: number;
  node?: string;
  env?: Record<string, string>;
  created_at?: string;
  last_activity_at?: string;
  idle_timeout_s?: number;
  expires_at?: string;
  max_expires_at?: string;
  error?: string | null;
  violations?: unknown[];
  ended_at?: string | null;
  end_reason?: string | null;
  /** Since when it is paused; only on a paused sandbox. */
  paused_at?: string | null;
  [field: string]: unknown;
}

export interface SandboxFields {
  image?: string;
  /** One of the key's runtimes; another is a 400 naming `runtime`. */
  runtime?: string;
  ttl_s?: number;
  idle_timeout_s?: number;
  env?: Record<string, string>;
  network?: string;
  /** Start with this snapshot's workspace (and its image and runtime). */
  snapshot_id?: string;
}

/** A sandbox's workspace saved by Sandbox.snapshot(), as GET /v1/snapshots/{id} shows it. */
export interface Snapshot {
  id: string;
  sandbox_id: string;
  state: "pending" | "ready";
  /** The workspace as archived, uncompressed (what the key's snapshot_bytes limit counts). */
  size_bytes: number;
  created_at: string;
  expires_at: string;
  image: string;
  /** Empty: the engine's default. */
  runtime: string;
  node: string;
  shared: boolean;
  /** A sandbox can be made from it now. */
  available: boolean;
  /** Workspace paths not saved: FIFOs, sockets, devices. */
  skipped: string[];
  [field: string]: unknown;
}

export interface OutputEvent {
  type: "stdout" | "stderr";
  /** Where the chunk starts in its stream, in bytes. */
  offset: number;
  data: Uint8Array;
  /** The event id (`<stdout bytes>.<stderr bytes>`): pass it as lastEventId to resume later. */
  id?: string;
}

export interface ResultEvent {
  type: "result";
  job: Job;
}

export type JobEvent = OutputEvent | ResultEvent;

export interface BatchResult {
  index: number;
  status: number;
  job?: Job;
  problem?: ProblemError;
  replayed?: boolean;
}

export interface ApiKey {
  id: string;
  user: string;
  tier: "free" | "pro" | "enterprise";
  name?: string | null;
  created_at: string;
  limits: Record<string, number>;
  webhook_url?: string;
  /** The secret: only in the answer to create. */
  key?: string;
}

export interface ClientOptions {
  /** One answer's headers must arrive within this (a long-poll adds its wait). Default 30000. */
  timeoutMs?: number;
  /** Retries of a 429/503 with Retry-After, or of a failed connection. Default 3. */
  maxRetries?: number;
  /** A longer Retry-After is not waited for: the error is thrown. Default 60. */
  maxRetryAfterS?: number;
}

export class Boxq {
  constructor(baseUrl: string, apiKey?: string, options?: ClientOptions);
  readonly keys: Keys;
  readonly admin: Admin;
  submit(command: string, fields?: JobFields, options?: { idempotencyKey?: string }): Promise<Job>;
  get(jobId: string, options?: { wait?: number }): Promise<Job>;
  wait(jobId: string, options?: { timeoutS?: number }): Promise<Job>;
  run(command: string, fields?: JobFields, options?: { timeoutS?: number }): Promise<Job>;
  events(jobId: string, options?: { lastEventId?: string }): AsyncGenerator<JobEvent, void, undefined>;
  cancel(jobId: string): Promise<Job>;
  list(options?: { state?: JobState; pageSize?: number }): AsyncGenerator<Job, void, undefined>;
  batch(jobs: Array<JobFields & { command: string }>, options?: { idempotencyKey?: string }): Promise<BatchResult[]>;
  deliveries(jobId: string): Promise<Record<string, unknown>>;
  sandbox(fields?: SandboxFields): Promise<Sandbox>;
  attach(sandboxId: string): Promise<Sandbox>;
  sandboxInfo(sandboxId: string): Promise<SandboxInfo>;
  sandboxes(options?: { state?: "live" | "ended" | "all" }): Promise<SandboxInfo[]>;
  snapshots(): Promise<Snapshot[]>;
  snapshotInfo(snapshotId: string): Promise<Snapshot>;
  deleteSnapshot(snapshotId: string): Promise<void>;
  quotaUsage(): Promise<Record<string, unknown>>;
  webhookSecret(): Promise<string>;
  rotateWebhookSecret(): Promise<string>;
}

export class Sandbox {
  readonly id: string;
  info: SandboxInfo;
  run(command: string, fields?: JobFields, options?: { timeoutS?: number }): Promise<Job>;
  submit(command: string, fields?: JobFields): Promise<Job>;
  upload(path: string, content: Uint8Array | string): Promise<void>;
  download(path: string): Promise<Uint8Array>;
  stats(): Promise<Record<string, unknown>>;
  keepalive(ttlS: number): Promise<SandboxInfo>;
  pause(): Promise<SandboxInfo>;
  resume(): Promise<SandboxInfo>;
  snapshot(): Promise<Snapshot>;
  /** 1 to 10 new sandboxes with a copy of the workspace, all or none. */
  fork(count?: number): Promise<Sandbox[]>;
  close(): Promise<void>;
}

export class Keys {
  create(user: string, tier?: string, fields?: Record<string, unknown>): Promise<ApiKey>;
  list(): Promise<ApiKey[]>;
  update(keyId: string, changes: Record<string, unknown>): Promise<ApiKey>;
  revoke(keyId: string): Promise<void>;
}

export class Admin {
  systemStats(): Promise<Record<string, unknown>>;
  overview(): Promise<Record<string, unknown>>;
  cleanup(): Promise<Record<string, unknown>>;
  audit(options?: { cursor?: string; limit?: number }): Promise<Record<string, unknown>>;
}

export const ENDED_STATES: ReadonlySet<JobState>;
export function stdoutBytes(job: Job): Uint8Array;
export function stderrBytes(job: Job): Uint8Array;

export class BoxqError extends Error {}
export class BoxqConnectionError extends BoxqError {}
export class ProblemError extends BoxqError {
  readonly status: number;
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly errors: Array<{ field: string; message: string }>;
  /** Retry-After in seconds, when the answer had one (after the client's own retries ran out). */
  readonly retryAfter?: number;
  readonly body: Record<string, unknown>;
  /** The names of the fields at fault. */
  readonly fields: string[];
}
export class InvalidRequestError extends ProblemError {}
export class UnauthorizedError extends ProblemError {}
export class ForbiddenError extends ProblemError {}
export class NotFoundError extends ProblemError {}
export class ConflictError extends ProblemError {}
export class SandboxEndedError extends ProblemError {}
export class RateLimitedError extends ProblemError {}
export class UnavailableError extends ProblemError {}
export function problem(status: number, body: Record<string, unknown>, retryAfter?: number): ProblemError;

export class WebhookVerificationError extends BoxqError {}
export function verifyWebhook(
  secret: string | string[],
  headers: Record<string, string> | Headers,
  body: string | Uint8Array,
  options?: { now?: number },
): void;
