package io.boxq.client.sandboxes;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as {@code GET /v1/sandboxes/{id}} shows it: {@code creating}, {@code ready} or
 * {@code paused} (with {@code pausedAt}) while it lives; once ended {@code terminated},
 * {@code expired}, {@code deleted} or {@code lost}, with {@code endedAt} and {@code endReason}.
 * {@code runtime} is the OCI runtime of its container ({@code runc}, {@code runsc}, …).
 */
public record SandboxInfo(
        String id,
        String state,
        String image,
        String runtime,
        Long memoryMb,
        String node,
        Map<String, String> env,
        Instant createdAt,
        Instant lastActivityAt,
        Long idleTimeoutS,
        Instant expiresAt,
        Instant maxExpiresAt,
        String error,
        List<JsonNode> violations,
        Instant endedAt,
        String endReason,
        Instant pausedAt) {}
