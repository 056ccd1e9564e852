package io.boxq.client.sandboxes;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a sandbox's workspace (files, directories, modes and links; never processes or
 * memory) as {@code GET /v1/snapshots/{id}} shows it: {@code pending} while its node writes it,
 * then {@code ready} until {@code expiresAt}. {@code available}: a sandbox can be made from it now
 * ({@link SandboxRequest#withSnapshot}); {@code skipped}: the workspace paths it did not save
 * (FIFOs, sockets, devices); {@code sizeBytes}: what the key's {@code snapshot_bytes} limit counts;
 * {@code runtime} empty for the engine's default.
 */
public record Snapshot(
        String id,
        String sandboxId,
        String state,
        long sizeBytes,
        Instant createdAt,
        Instant expiresAt,
        String image,
        String runtime,
        String node,
        boolean shared,
        boolean available,
        List<String> skipped) {}
