package io.boxq.core.config;

import java.util.List;

/**
 * How every container is shaped and locked down (docs/architecture.md, "Containers"). {@code workspaceBytes} of 0 means
 * "half of the container's memory", since tmpfs pages count against the memory limit. {@code runtime} is the
 * deployment's default OCI runtime ({@code SANDBOX_RUNTIME}), always one of {@code allowedRuntimes}
 * ({@code ALLOWED_RUNTIMES}), the runtimes every executor's engine must have.
 */
public record SandboxConfig(
        String dockerHost,
        String image,
        List<String> allowedImages,
        int cpuQuotaPercent,
        int cpuShares,
        long pidsLimit,
        long workspaceBytes,
        long tmpBytes,
        String network,
        String runtime,
        List<String> allowedRuntimes,
        SandboxUser user,
        String workspace,
        long nofile) {

    public SandboxConfig {
        allowedImages = List.copyOf(allowedImages);
        allowedRuntimes = List.copyOf(allowedRuntimes);
    }

    public long workspaceBytesFor(long memoryBytes) {
        return workspaceBytes > 0 ? workspaceBytes : memoryBytes / 2;
    }
}
