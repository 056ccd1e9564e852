package io.boxq.client.sandboxes;

import java.util.Map;

/**
 * What {@code POST /v1/sandboxes} takes; null fields are left out and the server's defaults apply.
 * {@code snapshotId} starts it with that snapshot's workspace, image and runtime.
 */
public record SandboxRequest(String image, String runtime, Integer ttlS, Integer idleTimeoutS, Map<String, String> env,
        String network, String snapshotId) {
    public static final SandboxRequest DEFAULTS = new SandboxRequest(null, null, null, null, null, null, null);

    public SandboxRequest withImage(String name) {
        return new SandboxRequest(name, runtime, ttlS, idleTimeoutS, env, network, snapshotId);
    }

    /** The OCI runtime of its container ({@code runc}, {@code runsc}, …): one of the key's, else a {@code 400}. */
    public SandboxRequest withRuntime(String name) {
        return new SandboxRequest(image, name, ttlS, idleTimeoutS, env, network, snapshotId);
    }

    public SandboxRequest withTtlSeconds(int seconds) {
        return new SandboxRequest(image, runtime, seconds, idleTimeoutS, env, network, snapshotId);
    }

    public SandboxRequest withIdleTimeoutSeconds(int seconds) {
        return new SandboxRequest(image, runtime, ttlS, seconds, env, network, snapshotId);
    }

    public SandboxRequest withEnv(Map<String, String> vars) {
        return new SandboxRequest(image, runtime, ttlS, idleTimeoutS, vars, network, snapshotId);
    }

    /** Starts from one of the key's snapshots, with its files; a {@code 404} when the key has no such ready one. */
    public SandboxRequest withSnapshot(String id) {
        return new SandboxRequest(image, runtime, ttlS, idleTimeoutS, env, network, id);
    }
}
