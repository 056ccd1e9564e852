package io.boxq.executor.runner;

/** Connects a runner to a freshly started container; returns only once the runner has answered. */
@FunctionalInterface
public interface RunnerFactory {
    /** @throws RunnerFailedException when no runner could be brought up in the container */
    CommandRunner attach(String containerId);
}
