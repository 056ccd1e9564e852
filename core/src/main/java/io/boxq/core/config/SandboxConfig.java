package io.boxq.core.config;

import java.util.List;

/**
 * How every container is shaped and locked down (docs/architecture.md, "Containers"). {@code workspaceBytes} of 0 means
 * "half of the container's memory", since tmpfs pages count against the memory limit.
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
        SandboxUser user,
        String workspace,
        long nofile) {

    public SandboxConfig {
        allowedImages = List.copyOf(allowedImages);
    }

    public long workspaceBytesFor(long memoryBytes) {
        return workspaceBytes > 0 ? workspaceBytes : memoryBytes / 2;
    }
}
