package io.boxq.api.admin;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.Sandbox;
import java.util.List;
import java.util.Map;

/**
 * Every sandbox of the deployment with its newest {@link #SAMPLES} monitor samples, in two
 * pipelines (the records, then the histories). {@code MAX_TOTAL_SANDBOXES} bounds how many there are.
 * Only live sandboxes are shown: ended records are kept per key (for their owners), and one that
 * ended between reading the set and reading the records is left out.
 */
public final class SandboxesOverview {
    /** Samples per sandbox in the overview: 15 minutes at the default 15 s interval. */
    static final int SAMPLES = 60;

    private final BoxqConfig config;
    private final RedisSandboxStore store;
    private final RedisSandboxStats stats;

    public SandboxesOverview(BoxqConfig config, RedisSandboxStore store, RedisSandboxStats stats) {
        this.config = config;
        this.store = store;
        this.stats = stats;
    }

    public Overview.Sandboxes read() {
        List<Sandbox> all = RedisSandboxStore.live(store.findAll(store.allIds()));
        Map<String, List<ResourceSample>> histories = stats.histories(all.stream().map(Sandbox::id).toList(),
                Math.min(SAMPLES, config.monitor().statsHistoryLength()));
        List<Overview.SandboxRow> rows = all.stream().map(s -> {
            List<Overview.Sample> history = histories.getOrDefault(s.id(), List.of()).stream()
                    .map(SandboxesOverview::sample).toList();
            return new Overview.SandboxRow(s.id(), s.keyId(), s.user(), s.node(), s.state(), s.image(),
                    s.memoryBytes(), s.createdAt(), s.lastActivity(), s.expiresAt(), s.error(), s.violations().size(),
                    history.isEmpty() ? null : history.get(history.size() - 1), history, s.pausedAt());
        }).toList();
        return new Overview.Sandboxes(all.size(), config.sandboxLimits().maxTotalSandboxes(), rows);
    }

    private static Overview.Sample sample(ResourceSample s) {
        return new Overview.Sample(s.at(), s.memoryBytes(), s.memoryLimitBytes(), s.memoryPercent(),
                Math.round(s.cpuPercent() * 100) / 100.0, s.diskPercent(), s.pids());
    }
}
