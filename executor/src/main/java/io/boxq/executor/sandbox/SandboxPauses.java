package io.boxq.executor.sandbox;

import io.boxq.core.job.SandboxOp;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.DockerUnavailableException;
import io.boxq.executor.pool.PooledContainer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pausing and resuming the sandboxes of one node (docs/architecture.md, "Pause and resume"). A
 * pause freezes every process of the container with the cgroup freezer, the runner's too, so
 * nothing may use the runner of a frozen sandbox: its figures come from the engine instead, and a
 * job or file call thaws it first. A pause runs as an entry of its sandbox's line, so no job of the
 * sandbox runs while it freezes; it also takes the runner's lock, so a sample in flight finishes
 * first. Every way a container goes thaws it first: it is never left frozen.
 */
public final class SandboxPauses {
    private static final Logger log = LoggerFactory.getLogger(SandboxPauses.class);

    /** What a pause did. */
    public enum Outcome { PAUSED, BUSY, ENDED }

    private final RedisSandboxStore sandboxes;
    private final DockerRuntime docker;
    private final SandboxRunners runners;
    private final Clock clock;
    /** Sandboxes whose container this node froze and has not thawed. */
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();

    public SandboxPauses(RedisSandboxStore sandboxes, DockerRuntime docker, SandboxRunners runners, Clock clock) {
        this.sandboxes = sandboxes;
        this.docker = docker;
        this.runners = runners;
        this.clock = clock;
    }

    /**
     * Freezes a ready sandbox; a paused one stays paused.
     *
     * @param deadline when its caller stops waiting (sent + {@link SandboxOp#PAUSE_WAIT})
     * @return {@code BUSY} when its runner stayed in use until {@code deadline}, {@code ENDED} when
     *     the sandbox ended meanwhile (it is thawed again for its removal)
     */
    Outcome pause(Sandbox s, PooledContainer c, Instant deadline) {
        ReentrantLock lock = runners.lock(s.id());
        try {
            long left = Duration.between(clock.instant(), deadline).toMillis();
            if (left <= 0 || !lock.tryLock(left, TimeUnit.MILLISECONDS)) {
                return Outcome.BUSY;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.BUSY;
        }
        try {
            if (frozen.contains(s.id())) {
                return Outcome.PAUSED;
            }
            docker.pause(c.id());
            frozen.add(s.id());
            if (!sandboxes.markPaused(s.id(), clock.instant())) {
                thaw(s.id(), c);
                return Outcome.ENDED;
            }
            log.info("sandbox {} paused", s.id());
            return Outcome.PAUSED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Thaws a paused sandbox and records it ready; a sandbox that is not paused is left as it is.
     *
     * @throws io.boxq.executor.docker.DockerUnavailableException when the engine cannot thaw it
     */
    void resume(Sandbox s, PooledContainer c) {
        if (!frozen.contains(s.id()) && !s.paused()) {
            return;
        }
        if (!docker.unpause(c.id())) {
            throw new io.boxq.executor.docker.DockerUnavailableException(
                    "the engine did not thaw container " + c.id(), null);
        }
        frozen.remove(s.id());
        sandboxes.markResumed(s, clock.instant());
        log.info("sandbox {} resumed", s.id());
    }

    /**
     * Runs {@code work} on a container that may be frozen: a frozen one is thawed for it (no
     * {@code docker exec} reaches a frozen container) and frozen again after, and the sandbox stays
     * {@code paused} on record. The caller holds the sandbox's runner, so no pause or resume
     * runs meanwhile. Used by snapshots and forks, whose copy script stops the sandbox's processes
     * itself as soon as it starts.
     */
    <T> T whileThawed(Sandbox s, PooledContainer c, java.util.function.Supplier<T> work) {
        if (!frozen.contains(s.id())) {
            return work.get();
        }
        if (!docker.unpause(c.id())) {
            throw new DockerUnavailableException("cannot thaw container " + c.id() + " for the copy", null);
        }
        try {
            return work.get();
        } finally {
            try {
                docker.pause(c.id());
            } catch (DockerUnavailableException e) { // running, so on record as running: never paused in name only
                frozen.remove(s.id());
                sandboxes.markResumed(s, clock.instant());
                log.warn("sandbox {} stays running after its copy: {}", s.id(), e.getMessage());
            }
        }
    }

    /** Whether this node froze the sandbox and has not thawed it. */
    public boolean frozen(String sandboxId) {
        return frozen.contains(sandboxId);
    }

    /** How many of this node's sandboxes are frozen now. */
    public int count() {
        return frozen.size();
    }

    /** Thaws a container about to go (delete, expiry, termination, shutdown), so it is never left frozen. */
    void thaw(String sandboxId, PooledContainer c) {
        if (frozen.remove(sandboxId)) {
            docker.unpause(c.id());
        }
    }
}
