package io.boxq.executor.job;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import java.time.Instant;

/** Told of every job end a node stored (metrics, usage); operations of sandboxes included. */
@FunctionalInterface
public interface JobEndListener {
    JobEndListener NONE = (job, state, result, endedAt) -> {};

    /**
     * @param job the job as it was when it started (its {@code startedAt} set)
     * @param result what its command left (null when it did not get to run, or boxq could not run it)
     */
    void ended(Job job, JobState state, CommandResult result, Instant endedAt);

    /** This listener, then {@code next}. */
    default JobEndListener andThen(JobEndListener next) {
        return (job, state, result, endedAt) -> {
            ended(job, state, result, endedAt);
            next.ended(job, state, result, endedAt);
        };
    }
}
