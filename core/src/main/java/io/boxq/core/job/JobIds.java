package io.boxq.core.job;

import io.boxq.core.id.RandomIds;

/** The ids of jobs: {@code job_} and 24 hex digits (see {@link RandomIds}). */
public final class JobIds {
    private JobIds() {}

    public static String newJobId() {
        return "job_" + RandomIds.hex(12);
    }
}
