package io.boxq.api.metrics;

import io.boxq.core.auth.Tier;
import io.boxq.core.job.JobState;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the api counts of jobs: submissions by tier, and the jobs that end without reaching a node
 * (cancelled while queued). Nodes count the ends of the jobs they ran.
 */
public final class ApiMetrics {
    private final MeterRegistry registry;
    /** Looked up once: a registry lookup builds and sorts the tags each time, and this is per job. */
    private final java.util.Map<Tier, io.micrometer.core.instrument.Counter> submitted =
            new java.util.concurrent.ConcurrentHashMap<>();

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Tier tier : Tier.values()) {
            submitted(tier);
        }
        finished(JobState.CANCELLED);
    }

    public void jobSubmitted(Tier tier) {
        submitted(tier).increment();
    }

    public void jobEnded(JobState state) {
        finished(state).increment();
    }

    private io.micrometer.core.instrument.Counter submitted(Tier tier) {
        return submitted.computeIfAbsent(tier, t -> registry.counter("boxq.jobs.submitted", "tier", t.wireName()));
    }

    private io.micrometer.core.instrument.Counter finished(JobState state) {
        return registry.counter("boxq.jobs.finished", "state", state.wireName());
    }
}
