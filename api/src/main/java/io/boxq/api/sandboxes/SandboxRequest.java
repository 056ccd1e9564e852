package io.boxq.api.sandboxes;

import io.boxq.api.jobs.JobRequestParser;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.request.RequestBody;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.snapshot.Snapshot;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A create body ({@code {image?, ttl_s?, idle_timeout_s?, env?, network?, runtime?, snapshot_id?}}),
 * checked against the caller's limits and this server's settings, as {@code POST /v1/sandboxes} and
 * the MCP {@code create_sandbox} tool read it.
 *
 * @param image the image asked for, or null for the default (or the snapshot's)
 * @param runtime the runtime asked for, else the snapshot's, else null for the key's default
 * @param snapshot the ready snapshot to start from, or null
 */
public record SandboxRequest(String image, int ttlSeconds, int idleSeconds, Map<String, String> env, String runtime,
        Snapshot snapshot) {
    static final Set<String> FIELDS =
            Set.of("image", "ttl_s", "idle_timeout_s", "env", "network", "runtime", "snapshot_id");

    /**
     * Reads a create body; {@code snapshots} finds the ready snapshot {@code snapshot_id} names.
     *
     * @throws ProblemException 400 naming every field at fault (after what {@code snapshots} throws)
     */
    public static SandboxRequest parse(ApiKey caller, BoxqConfig config, String body,
            Function<String, Snapshot> snapshots) {
        TierLimits limits = caller.limits(config::limits);
        RequestBody b = RequestBody.parseOptional(body, FIELDS);
        String image = b.string("image", false, 256);
        if (image != null && !config.sandbox().allowedImages().contains(image)) {
            b.error("image", "is not one of the allowed images " + config.sandbox().allowedImages());
        }
        Duration maxLifetime = SandboxOperations.maxLifetime(config, limits);
        int ttl = b.integer("ttl_s", (int) Math.min(config.sandboxLimits().sessionTimeout().toSeconds(),
                maxLifetime.toSeconds()), 1, (int) maxLifetime.toSeconds());
        int idle = b.integer("idle_timeout_s", (int) config.pool().idleTimeout().toSeconds(), 1,
                (int) maxLifetime.toSeconds());
        Map<String, String> env = b.stringMap("env", JobRequestParser.ENV_NAME, 128, 32 * 1024);
        String network = b.string("network", false, 64);
        if (network != null && !network.equals(config.sandbox().network())) {
            b.error("network", "must be '" + config.sandbox().network() + "' (the only network this server offers)");
        }
        String runtime = b.string("runtime", false, 64);
        String snapshotId = b.string("snapshot_id", false, 64);
        Snapshot snap = snapshotId == null ? null : snapshots.apply(snapshotId);
        if (snap != null) {
            if (image != null && !image.equals(snap.image())) {
                b.error("image", "must be the snapshot's image " + snap.image() + " (or left out)");
            }
            if (runtime != null && !snap.runtime().isEmpty() && !runtime.equals(snap.runtime())) {
                b.error("runtime", "must be the snapshot's runtime " + snap.runtime() + " (or left out)");
            }
            if (runtime == null && !snap.runtime().isEmpty()) {
                runtime = snap.runtime();
            }
        }
        b.validate();
        return new SandboxRequest(image, ttl, idle, env, runtime, snap);
    }
}
