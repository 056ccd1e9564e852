package io.boxq.client.sandboxes;

import java.util.Map;

/** What {@code POST /v1/sandboxes} takes; null fields are left out and the server's defaults apply. */
public record SandboxRequest(String image, Integer ttlS, Integer idleTimeoutS, Map<String, String> env, String network) {
    public static final SandboxRequest DEFAULTS = new SandboxRequest(null, null, null, null, null);

    public SandboxRequest withImage(String name) {
        return new SandboxRequest(name, ttlS, idleTimeoutS, env, network);
    }

    public SandboxRequest withTtlSeconds(int seconds) {
        return new SandboxRequest(image, seconds, idleTimeoutS, env, network);
    }

    public SandboxRequest withIdleTimeoutSeconds(int seconds) {
        return new SandboxRequest(image, ttlS, seconds, env, network);
    }

    public SandboxRequest withEnv(Map<String, String> vars) {
        return new SandboxRequest(image, ttlS, idleTimeoutS, vars, network);
    }
}
