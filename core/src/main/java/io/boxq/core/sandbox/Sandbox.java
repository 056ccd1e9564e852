package io.boxq.core.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A sandbox: a container that keeps its files between the jobs of one API key, on one node.
 *
 * @param state {@code creating}, {@code ready}, {@code paused} (frozen, see {@code pausedAt}), or
 *     {@code error} (with {@code error} saying why) while it lives; once ended, the
 *     {@link SandboxEnd#wireName()} of how it ended
 * @param expiresAt when its lifetime ends (keepalive moves it, up to {@code maxExpiresAt})
 * @param maxExpiresAt the latest {@code expiresAt} may go: created + the tier's lifetime
 * @param violations resource thresholds it crossed (the resource monitor's findings), oldest first
 * @param endedAt when it ended, or null while it lives
 * @param endReason why it ended, or null while it lives
 * @param pausedAt since when it is paused, or null when it is not
 * @param runtime the OCI runtime of its container (null: a record from before runtimes were chosen, runc)
 */
public record Sandbox(
        String id,
        String keyId,
        String user,
        String node,
        String containerId,
        String image,
        long memoryBytes,
        Map<String, String> env,
        String state,
        Instant createdAt,
        Instant lastActivity,
        Duration idleTimeout,
        Instant expiresAt,
        Instant maxExpiresAt,
        String error,
        java.util.List<ResourceViolation> violations,
        Instant endedAt,
        String endReason,
        Instant pausedAt,
        String runtime) {

    public Sandbox {
        env = env == null ? Map.of() : Map.copyOf(env);
        violations = violations == null ? java.util.List.of() : java.util.List.copyOf(violations);
    }

    /** A sandbox of the deployment's default runtime. */
    public Sandbox(String id, String keyId, String user, String node, String containerId, String image,
            long memoryBytes, Map<String, String> env, String state, Instant createdAt, Instant lastActivity,
            Duration idleTimeout, Instant expiresAt, Instant maxExpiresAt, String error,
            java.util.List<ResourceViolation> violations, Instant endedAt, String endReason) {
        this(id, keyId, user, node, containerId, image, memoryBytes, env, state, createdAt, lastActivity, idleTimeout,
                expiresAt, maxExpiresAt, error, violations, endedAt, endReason, null, null);
    }

    /** This sandbox in {@code runtime}. */
    public Sandbox withRuntime(String runtime) {
        return new Sandbox(id, keyId, user, node, containerId, image, memoryBytes, env, state, createdAt, lastActivity,
                idleTimeout, expiresAt, maxExpiresAt, error, violations, endedAt, endReason, pausedAt, runtime);
    }

    /** A sandbox without recorded violations (a new one). */
    public Sandbox(String id, String keyId, String user, String node, String containerId, String image,
            long memoryBytes, Map<String, String> env, String state, Instant createdAt, Instant lastActivity,
            Duration idleTimeout, Instant expiresAt, Instant maxExpiresAt, String error) {
        this(id, keyId, user, node, containerId, image, memoryBytes, env, state, createdAt, lastActivity, idleTimeout,
                expiresAt, maxExpiresAt, error, java.util.List.of(), null, null, null, null);
    }

    public boolean ready() {
        return "ready".equals(state);
    }

    /** Frozen by a pause: its processes hold their memory and use no CPU until it is resumed. */
    public boolean paused() {
        return "paused".equals(state);
    }

    /** Ready or paused: jobs and file calls may be sent (a paused sandbox is resumed first). */
    public boolean usable() {
        return ready() || paused();
    }

    /** True once it has ended (terminated, expired, deleted or lost): only its record is left. */
    public boolean ended() {
        return endedAt != null;
    }

    /**
     * Why it should end now, or null: past its lifetime, or idle past its idle timeout. A sandbox
     * with a job or file call in it ({@code busy}) is not idle, however long that takes; a paused
     * one is not idle either (its idle clock stops), but its lifetime runs on.
     */
    public String expiredReason(Instant now, boolean busy) {
        if (!now.isBefore(expiresAt)) {
            return "lifetime ended";
        }
        if (!busy && !paused() && !now.isBefore(lastActivity.plus(idleTimeout))) {
            return "idle for " + idleTimeout.toSeconds() + " s";
        }
        return null;
    }
}
