// The one place the client speaks HTTP: key, JSON, problems, retries (internal).
import { BoxqConnectionError, BoxqError, problem } from "./errors.js";

const REPEATABLE = new Set(["GET", "PUT", "DELETE", "HEAD"]);

/** Retry-After in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(value) {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

const pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export class Transport {
  constructor(baseUrl, apiKey, { timeoutMs = 30_000, maxRetries = 3, maxRetryAfterS = 60 } = {}) {
    this.base = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
    this.timeoutMs = timeoutMs;
    this.maxRetries = maxRetries;
    this.maxRetryAfterS = maxRetryAfterS;
  }

  /**
   * Sends with retries: a 429/503 with a Retry-After (up to maxRetryAfterS) after that long, a
   * failed connection when the request is safe to repeat (GET, PUT, DELETE, or with an
   * Idempotency-Key). Resolves to the 2xx Response (body unread) or rejects with the problem.
   * `timeoutMs` bounds the wait for the answer's headers; `streaming` leaves the body unbounded.
   */
  async open(method, path, { body, headers = {}, timeoutMs = this.timeoutMs } = {}) {
    const h = { Accept: "application/json", ...headers };
    if (this.apiKey) h.Authorization = `Bearer ${this.apiKey}`;
    const repeatable = REPEATABLE.has(method) || "Idempotency-Key" in h;
    for (let attempt = 0; ; attempt++) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      let response;
      try {
        response = await fetch(this.base + path, { method, body, headers: h, signal: abort.signal });
      } catch (e) {
        clearTimeout(timer);
        if (!repeatable || attempt >= this.maxRetries) {
          throw new BoxqConnectionError(`${method} ${path}: ${e.cause?.message ?? e.message}`, { cause: e });
        }
        await pause(Math.min(this.maxRetryAfterS, 0.25 * 2 ** attempt));
        continue;
      }
      clearTimeout(timer);
      if (response.status < 400) return response;
      const text = await response.text();
      const wait = retryAfterSeconds(response.headers.get("retry-after"));
      if ((response.status === 429 || response.status === 503) && wait !== undefined &&
          attempt < this.maxRetries && wait <= this.maxRetryAfterS) {
        await pause(wait);
        continue;
      }
      throw problem(response.status, problemBody(response.status, text), wait);
    }
  }

  async bytes(method, path, options) {
    const response = await this.open(method, path, options);
    return new Uint8Array(await response.arrayBuffer());
  }

  async json(method, path, payload, { headers = {}, timeoutMs } = {}) {
    const options = { headers: { ...headers }, timeoutMs };
    if (payload !== undefined) {
      options.body = JSON.stringify(payload);
      options.headers["Content-Type"] = "application/json";
    }
    const response = await this.open(method, path, options);
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BoxqError(`${method} ${path}: the answer is not JSON`, { cause: e });
    }
  }
}

function problemBody(status, text) {
  try {
    const doc = JSON.parse(text);
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc;
  } catch {
    // not JSON: the status alone speaks
  }
  return { status, title: text || `HTTP ${status}` };
}

export const q = encodeURIComponent;
