package io.boxq.api.sandboxes;

import io.boxq.core.sandbox.Sandbox;
import java.time.Instant;
import java.util.Map;

/** A sandbox as the API shows it. */
public record SandboxView(
        String id,
        String state,
        String image,
        long memoryMb,
        String node,
        Map<String, String> env,
        Instant createdAt,
        Instant lastActivityAt,
        long idleTimeoutS,
        Instant expiresAt,
        Instant maxExpiresAt,
        String error) {

    static SandboxView of(Sandbox s) {
        return new SandboxView(s.id(), s.state(), s.image(), s.memoryBytes() >> 20, s.node(), s.env(), s.createdAt(),
                s.lastActivity(), s.idleTimeout().toSeconds(), s.expiresAt(), s.maxExpiresAt(), s.error());
    }
}
