package io.boxq.client.jobs;

import io.boxq.client.errors.ProblemException;

/**
 * One job of a batch: {@code 202} (or {@code 200} and {@code replayed} when a retried batch gives
 * back a job it had queued) with its {@code job}, or the {@code problem} that kept it out.
 */
public record BatchItem(int index, int status, Job job, ProblemException problem, boolean replayed) {
    public boolean ok() {
        return job != null;
    }
}
