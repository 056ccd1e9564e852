package io.boxq.core.redis;

/**
 * An Idempotency-Key came back with a different request body than the first time, or for a job no
 * longer kept (the api answers 409).
 */
public class IdempotencyConflictException extends RuntimeException {
    private final String jobId;

    public IdempotencyConflictException(String jobId) {
        this(jobId, "this Idempotency-Key was used for job " + jobId + " with a different body");
    }

    private IdempotencyConflictException(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    /**
     * The key's first job is no longer kept (JOB_RESULT_TTL_SECONDS is shorter than the key's 24 h):
     * it cannot be returned, and running the command again would not be idempotent.
     */
    public static IdempotencyConflictException expired(String jobId) {
        return new IdempotencyConflictException(jobId, "this Idempotency-Key was used for job " + jobId
                + ", which is no longer kept; send the request with a new key to run it again");
    }

    public String jobId() {
        return jobId;
    }
}
