package io.boxq.api.sandboxes;

import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.sandbox.Sandbox;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as the API shows it; {@code violations} are what the resource monitor found. An ended
 * sandbox has {@code state} terminated, expired, deleted or lost, with {@code ended_at} and
 * {@code end_reason}. A paused sandbox has {@code state} paused and {@code paused_at}.
 */
public record SandboxView(
        String id,
        String state,
        String image,
        String runtime,
        long memoryMb,
        String node,
        Map<String, String> env,
        Instant createdAt,
        Instant lastActivityAt,
        long idleTimeoutS,
        Instant expiresAt,
        Instant maxExpiresAt,
        String error,
        List<ResourceViolation> violations,
        Instant endedAt,
        String endReason,
        Instant pausedAt) {

    public static SandboxView of(Sandbox s) {
        return new SandboxView(s.id(), s.state(), s.image(), s.runtime(), s.memoryBytes() >> 20, s.node(), s.env(), s.createdAt(),
                s.lastActivity(), s.idleTimeout().toSeconds(), s.expiresAt(), s.maxExpiresAt(), s.error(),
                s.violations(), s.endedAt(), s.endReason(), s.pausedAt());
    }
}
