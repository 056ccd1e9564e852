package io.boxq.executor.runner;

import io.boxq.executor.docker.ContainerSpec;
import java.util.List;
import java.util.Map;

/**
 * What a new container needs so that its runner can come up: its main command, read-only bind
 * mounts (host path to container path) and labels, plus whatever the runner factory keeps until
 * {@link RunnerFactory#attach} (the agent's listening socket).
 */
public record RunnerPlacement(List<String> command, Map<String, String> readOnlyMounts, Map<String, String> labels,
        Object pending) {

    /** A container that only keeps itself alive; its runner comes in from outside ({@code docker exec}). */
    public static final RunnerPlacement KEEPALIVE = new RunnerPlacement(ContainerSpec.KEEPALIVE_CMD, Map.of(), Map.of(), null);

    public RunnerPlacement {
        command = List.copyOf(command);
        readOnlyMounts = Map.copyOf(readOnlyMounts);
        labels = Map.copyOf(labels);
    }
}
