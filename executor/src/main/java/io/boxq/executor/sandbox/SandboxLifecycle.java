package io.boxq.executor.sandbox;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.pool.Shape;
import io.boxq.executor.pool.WarmPool;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of one node from birth to end: the containers they hold (pinned out of the warm
 * pool), and their ending: deleted, expired, lost or terminated.
 */
public final class SandboxLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SandboxLifecycle.class);
    /** How long the monitor's reason for a termination waits for the job it ends. */
    private static final Duration TERMINATION_MEMORY = Duration.ofMinutes(10);

    private final RedisSandboxStore sandboxes;
    private final WarmPool pool;
    private final SandboxRunners runners;
    private final SandboxPauses pauses;
    private final AuditLog audit;
    private final BoxqConfig config;
    private final String node;
    private final Clock clock;
    private final Map<String, PooledContainer> held = new ConcurrentHashMap<>();
    /** Sandboxes the resource monitor terminated, with the reason their running job ends with. */
    private final Map<String, Termination> terminated = new ConcurrentHashMap<>();

    private record Termination(String reason, long atNanos) {}

    public SandboxLifecycle(RedisSandboxStore sandboxes, WarmPool pool, SandboxRunners runners, SandboxPauses pauses,
            AuditLog audit, BoxqConfig config, String node, Clock clock) {
        this.pauses = pauses;
        this.sandboxes = sandboxes;
        this.pool = pool;
        this.runners = runners;
        this.audit = audit;
        this.config = config;
        this.node = node;
        this.clock = clock;
    }

    /** The container a sandbox of this node holds; empty when it holds none here. */
    Optional<PooledContainer> container(String sandboxId) {
        return Optional.ofNullable(held.get(sandboxId));
    }

    /**
     * Gives a new sandbox its container and marks it ready.
     *
     * @return empty when it is ready, else why it is not (its record is then discarded or ended)
     */
    Optional<String> create(Sandbox s) {
        return create(s, c -> { });
    }

    /**
     * Gives a new sandbox its container, lets {@code fill} put its workspace in (a snapshot's, a
     * fork's source's), and marks it ready; a sandbox whose filling fails never comes to be.
     *
     * @return empty when it is ready, else why it is not (its record is then discarded or ended)
     */
    Optional<String> create(Sandbox s, java.util.function.Consumer<PooledContainer> fill) {
        PooledContainer c;
        try {
            c = pool.acquireForSandbox(new Shape(s.image(), s.memoryBytes(), config.sandbox().network(),
                    s.runtime() != null ? s.runtime() : config.sandbox().runtime()));
        } catch (RuntimeException e) {
            sandboxes.discard(s);
            return Optional.of("no container could be had: " + e.getMessage());
        }
        try {
            fill.accept(c);
        } catch (RuntimeException e) {
            pool.unpin(c);
            sandboxes.discard(s);
            return Optional.of(e.getMessage());
        }
        held.put(s.id(), c);
        if (!sandboxes.markReady(s.id(), c.id())) {
            pool.unpin(held.remove(s.id()));
            return Optional.of("the sandbox ended before it was ready");
        }
        log.info("sandbox {} of key {} ready in container {}", s.id(), s.keyId(), c);
        return Optional.empty();
    }

    /** Takes back a sandbox that was made but must not be (a fork whose siblings failed): as if it never was. */
    void discard(Sandbox s) {
        PooledContainer c = held.remove(s.id());
        runners.forget(s.id());
        if (c != null) {
            pool.unpin(c);
        }
        sandboxes.discard(s);
    }

    /**
     * Ends a sandbox: its container goes (thawed first when paused), its quota places come back,
     * and its record is kept, marked {@code how} with {@code why} (unless it had already ended).
     */
    public void destroy(Sandbox s, SandboxEnd how, String why) {
        PooledContainer c = held.remove(s.id());
        runners.forget(s.id());
        if (c != null) {
            release(s.id(), c);
        }
        if (sandboxes.end(s, how, why)) {
            log.info("sandbox {} of key {} ended ({}): {}", s.id(), s.keyId(), how.wireName(), why);
        }
    }

    /**
     * Ends this node's sandboxes that are past their lifetime or idle timeout, and containers whose
     * sandbox record is gone.
     *
     * @return how many sandboxes ended
     */
    public int expire() {
        int ended = 0;
        for (Sandbox s : sandboxes.listForNode(node)) {
            String reason = s.expiredReason(clock.instant(), runners.busy(s.id()));
            boolean lost = s.usable() && !held.containsKey(s.id());
            if (reason != null || lost) {
                String why = lost ? "its container was lost" : reason;
                destroy(s, lost ? SandboxEnd.LOST : SandboxEnd.EXPIRED, why);
                audit.record("system", "sandbox.destroyed", s.id(), Map.of("reason", why, "node", node));
                ended++;
            }
        }
        for (String id : held.keySet()) {
            if (sandboxes.find(id).filter(s -> !s.ended()).isEmpty()) {
                release(id, held.remove(id));
                ended++;
            }
        }
        return ended;
    }

    /**
     * Ends a sandbox at once (the resource monitor): its record says {@code terminated} with
     * {@code cause}, and a job running in it ends {@code error} with "the sandbox was terminated:
     * {@code cause}" instead of a runner failure.
     *
     * @return the reason its job ends with
     */
    public String terminate(Sandbox s, String cause) {
        String reason = "the sandbox was terminated: " + cause;
        long now = System.nanoTime();
        terminated.values().removeIf(t -> now - t.atNanos() > TERMINATION_MEMORY.toNanos());
        terminated.put(s.id(), new Termination(reason, now));
        destroy(s, SandboxEnd.TERMINATED, cause);
        return reason;
    }

    /** Thaws every frozen sandbox of this node (it is stopping and its pool removes the containers next). */
    public void close() {
        held.forEach(pauses::thaw);
    }

    private void release(String sandboxId, PooledContainer c) {
        pauses.thaw(sandboxId, c);
        pool.unpin(c);
    }

    /** The reason a job of a sandbox the monitor terminated ends with, given once; empty when it was not. */
    Optional<String> takeTermination(String sandboxId) {
        return Optional.ofNullable(terminated.remove(sandboxId)).map(Termination::reason);
    }

    /**
     * A runner that died is brought back in the same container, which keeps its files; a sandbox
     * whose runner cannot come back ends {@code lost}.
     *
     * @return whether it came back
     */
    boolean revive(Sandbox s, PooledContainer c) {
        try {
            runners.relaunch(s.id(), c);
            return true;
        } catch (RuntimeException e) {
            log.warn("sandbox {}: runner cannot be relaunched, ending it: {}", s.id(), e.getMessage());
            destroy(s, SandboxEnd.LOST, "its runner died and could not be relaunched: " + e.getMessage());
            return false;
        }
    }
}
