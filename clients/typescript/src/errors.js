// Errors: every answer that is not 2xx is a ProblemError typed by its status.

/** Every error this client throws. */
export class BoxqError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server could not be reached, or the connection broke, after the retries. */
export class BoxqConnectionError extends BoxqError {}

/** An application/problem+json answer, with its fields. */
export class ProblemError extends BoxqError {
  constructor(status, body, retryAfter) {
    super(`${status} ${body.title ?? ""}${body.detail ? ": " + body.detail : ""}`);
    this.status = status;
    this.type = body.type;
    this.title = body.title;
    this.detail = body.detail;
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.retryAfter = retryAfter;
    this.body = body;
  }

  /** The names of the fields at fault, e.g. ["timeout_s"]. */
  get fields() {
    return this.errors.map((e) => e.field);
  }
}

export class InvalidRequestError extends ProblemError {}
export class UnauthorizedError extends ProblemError {}
export class ForbiddenError extends ProblemError {}
export class NotFoundError extends ProblemError {}
export class ConflictError extends ProblemError {}
export class SandboxEndedError extends ProblemError {}
export class RateLimitedError extends ProblemError {}
export class UnavailableError extends ProblemError {}

const BY_STATUS = {
  400: InvalidRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  410: SandboxEndedError,
  429: RateLimitedError,
  503: UnavailableError,
};

/** The typed error of a problem document. */
export function problem(status, body, retryAfter) {
  const Type = BY_STATUS[status] ?? ProblemError;
  return new Type(status, body, retryAfter);
}
