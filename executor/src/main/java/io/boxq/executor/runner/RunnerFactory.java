package io.boxq.executor.runner;

/**
 * Brings up the runner of a container: {@link #place} before the container is created (what it
 * must mount and run), {@link #attach} once it started, {@link #reattach} when its runner died.
 */
public interface RunnerFactory {
    /**
     * What the next container needs for its runner. Whatever it holds is given back by
     * {@link #attach} or, when the container never started, {@link #release}.
     *
     * @throws RunnerFailedException when that cannot be prepared
     */
    default RunnerPlacement place() {
        return RunnerPlacement.KEEPALIVE;
    }

    /** {@link #place()} for a container of OCI runtime {@code runtime} (null: the engine's default). */
    default RunnerPlacement place(String runtime) {
        return place();
    }

    /**
     * Connects to the runner of a container started with {@code placement}; returns only once the
     * runner has answered.
     *
     * @throws RunnerFailedException when no runner came up in the container
     */
    CommandRunner attach(String containerId, RunnerPlacement placement);

    /**
     * A new runner in a running container whose runner died; the container keeps its files.
     *
     * @throws RunnerFailedException when no runner could be brought back
     */
    CommandRunner reattach(String containerId);

    /** Gives back what {@link #place} took, for a container that was never started. */
    default void release(RunnerPlacement placement) {}

    /** The container is gone: forget what was kept for it. */
    default void removed(String containerId) {}

    /**
     * Removes what containers of this node that no longer exist left on the host.
     *
     * @return how many leftovers were removed
     */
    default int sweep() {
        return 0;
    }

    /** The node is stopping and its containers are gone: removes what is left of this factory's own. */
    default void close() {}
}
