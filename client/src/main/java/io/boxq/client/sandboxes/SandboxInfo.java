package io.boxq.client.sandboxes;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as {@code GET /v1/sandboxes/{id}} shows it: {@code creating} or {@code ready} while it
 * lives; once ended {@code terminated}, {@code expired}, {@code deleted} or {@code lost}, with
 * {@code endedAt} and {@code endReason}.
 */
public record SandboxInfo(
        String id,
        String state,
        String image,
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
        String endReason) {}
