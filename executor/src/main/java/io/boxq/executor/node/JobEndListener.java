package io.boxq.executor.node;

import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import java.time.Instant;

/** Told of every job end a node stored (metrics, usage); operations of sandboxes included. */
@FunctionalInterface
public interface JobEndListener {
    JobEndListener NONE = (job, state, endedAt) -> {};

    /** @param job the job as it was when it started (its {@code startedAt} set) */
    void ended(Job job, JobState state, Instant endedAt);
}
