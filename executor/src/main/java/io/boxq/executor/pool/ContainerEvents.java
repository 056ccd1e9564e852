package io.boxq.executor.pool;

import java.time.Duration;

/** Told of every container a {@link ContainerFactory} starts or removes (metrics). */
public interface ContainerEvents {
    ContainerEvents NONE = new ContainerEvents() {};

    /** A container is up and its runner answers, {@code took} after the start was asked for. */
    default void started(Shape shape, Duration took) {}

    /** A container could not be started (or its runner did not come up). */
    default void startFailed(Shape shape) {}

    /** A container was removed (force), which took {@code took}. */
    default void removed(Duration took) {}
}
