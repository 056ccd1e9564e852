package io.boxq.client.jobs;

import java.util.List;

/** One page of {@code GET /v1/jobs}; {@code nextCursor} is null on the last one. */
public record JobPage(List<Job> jobs, String nextCursor) {
    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
