package io.boxq.executor.pool;

import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunnerFactory;
import io.boxq.executor.runner.RunnerPlacement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real runner factory with a rendezvous in front: each attach waits until {@code parties}
 * containers have been started and are waiting for their runner at the same moment, then attaches
 * for real. Had the pool started its containers one after the other, the first attach would wait
 * in vain and {@link #met()} would stay false (after {@code patience}, so a test never hangs).
 */
final class RendezvousRunners implements RunnerFactory {
    private final RunnerFactory real;
    private final CountDownLatch arrived;
    private final Duration patience;

    RendezvousRunners(RunnerFactory real, int parties, Duration patience) {
        this.real = real;
        this.arrived = new CountDownLatch(parties);
        this.patience = patience;
    }

    @Override
    public RunnerPlacement place() {
        return real.place();
    }

    @Override
    public void release(RunnerPlacement placement) {
        real.release(placement);
    }

    @Override
    public void removed(String containerId) {
        real.removed(containerId);
    }

    @Override
    public CommandRunner reattach(String containerId) {
        return real.reattach(containerId);
    }

    @Override
    public CommandRunner attach(String containerId, RunnerPlacement placement) {
        arrived.countDown();
        try {
            arrived.await(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return real.attach(containerId, placement);
    }

    /** True once every party had its container started before any runner was attached. */
    boolean met() {
        return arrived.getCount() == 0;
    }
}
