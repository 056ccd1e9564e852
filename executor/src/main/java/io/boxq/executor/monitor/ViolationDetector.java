package io.boxq.executor.monitor;

import io.boxq.core.config.MonitorConfig;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.sandbox.ResourceViolation.Kind;
import io.boxq.core.sandbox.ResourceViolation.Level;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, sample by sample, which thresholds a sandbox crossed (the seed's: memory warning and
 * critical, CPU sustained, workspace disk). A warning is reported once when its figure crosses the
 * threshold and again only after the figure fell back below it; critical memory is reported every
 * time (the sandbox is terminated). Samples of different sandboxes may come from several threads.
 */
final class ViolationDetector {
    static final String RECORDED = "recorded";
    static final String TERMINATED = "terminated";

    private final MonitorConfig limits;
    private final int cpuQuotaPercent;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    /** What is remembered of a sandbox between samples: warnings in force, CPU samples above the threshold in a row. */
    private static final class State {
        final Set<Kind> warned = EnumSet.noneOf(Kind.class);
        int cpuHighInARow;
    }

    ViolationDetector(MonitorConfig limits, int cpuQuotaPercent) {
        this.limits = limits;
        this.cpuQuotaPercent = cpuQuotaPercent;
    }

    /** The thresholds {@code sample} crossed, a critical one alone. */
    List<ResourceViolation> check(String sandboxId, ResourceSample sample) {
        State state = states.computeIfAbsent(sandboxId, id -> new State());
        synchronized (state) {
            double memory = sample.memoryPercent();
            if (memory >= limits.memoryKillPercent()) {
                return List.of(new ResourceViolation(sample.at(), Kind.MEMORY, Level.CRITICAL, memory,
                        limits.memoryKillPercent(), TERMINATED));
            }
            List<ResourceViolation> found = new ArrayList<>();
            warn(state, Kind.MEMORY, memory >= limits.memoryWarnPercent(), memory, limits.memoryWarnPercent(), sample,
                    found);
            double cpu = sample.cpuOfQuotaPercent(cpuQuotaPercent);
            state.cpuHighInARow = cpu >= limits.cpuWarnPercent() ? state.cpuHighInARow + 1 : 0;
            warn(state, Kind.CPU, state.cpuHighInARow >= limits.cpuWarnSamples(), cpu, limits.cpuWarnPercent(), sample,
                    found);
            double disk = sample.diskPercent();
            warn(state, Kind.DISK, disk >= limits.diskWarnPercent(), disk, limits.diskWarnPercent(), sample, found);
            return found;
        }
    }

    /** Forgets sandboxes that are not among {@code live} (ended ones). */
    void retainOnly(Set<String> live) {
        states.keySet().retainAll(live);
    }

    private static void warn(State state, Kind kind, boolean over, double percent, int threshold, ResourceSample sample,
            List<ResourceViolation> found) {
        if (!over) {
            state.warned.remove(kind);
        } else if (state.warned.add(kind)) {
            found.add(new ResourceViolation(sample.at(), kind, Level.WARNING, percent, threshold, RECORDED));
        }
    }
}
