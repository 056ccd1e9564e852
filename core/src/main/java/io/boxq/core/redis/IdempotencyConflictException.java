package io.boxq.core.redis;

/** An Idempotency-Key came back with a different request body than the first time (the api answers 409). */
public class IdempotencyConflictException extends RuntimeException {
    private final String jobId;

    public IdempotencyConflictException(String jobId) {
        super("this Idempotency-Key was used for job " + jobId + " with a different body");
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
