package io.boxq.executor.docker;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import io.boxq.core.config.SandboxUser;
import java.util.List;
import java.util.Map;

/**
 * One locked-down container (docs/architecture.md, "Containers"): an unprivileged user, a read-only root, size-capped
 * tmpfs for {@code /workspace} and {@code /tmp}, memory equal to memory+swap, a CPU quota, a pids
 * limit, no capabilities, no new privileges, Docker's init as PID 1, no network unless configured.
 */
public record ContainerSpec(
        String image,
        long memoryBytes,
        int cpuQuotaPercent,
        int cpuShares,
        long pidsLimit,
        long workspaceBytes,
        long tmpBytes,
        String network,
        String runtime,
        SandboxUser user,
        String workspace,
        long nofile,
        Map<String, String> labels,
        List<String> command,
        Map<String, String> readOnlyMounts) {

    /** Docker's CFS period; the quota is a share of it. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    /** The main process only keeps the container alive; the marker lets a reset spare it. */
    public static final String KEEPALIVE_MARKER = "boxq-keepalive";
    public static final List<String> KEEPALIVE_CMD =
            List.of("/bin/sh", "-c", "while :; do sleep 86400; done", KEEPALIVE_MARKER);

    /** A container that only keeps itself alive: no runner of its own inside. */
    public ContainerSpec(String image, long memoryBytes, int cpuQuotaPercent, int cpuShares, long pidsLimit,
            long workspaceBytes, long tmpBytes, String network, String runtime, SandboxUser user, String workspace,
            long nofile, Map<String, String> labels) {
        this(image, memoryBytes, cpuQuotaPercent, cpuShares, pidsLimit, workspaceBytes, tmpBytes, network, runtime, user,
                workspace, nofile, labels, KEEPALIVE_CMD, Map.of());
    }

    public ContainerSpec {
        labels = Map.copyOf(labels);
        command = List.copyOf(command);
        readOnlyMounts = Map.copyOf(readOnlyMounts);
        if (memoryBytes < (6L << 20)) {
            throw new IllegalArgumentException("Docker needs at least 6 MiB of memory per container");
        }
    }

    public HostConfig hostConfig() {
        // Owned by the user, or it could not write its own workspace (mode=1777 is ignored on a
        // directory the image already has).
        String tmpfsOptions = "rw,exec,nosuid,nodev,uid=" + user.uid() + ",gid=" + user.gid() + ",size=";
        HostConfig host = HostConfig.newHostConfig()
                .withMemory(memoryBytes)
                .withMemorySwap(memoryBytes)
                .withCpuPeriod(CPU_PERIOD_MICROS)
                .withCpuQuota(CPU_PERIOD_MICROS * cpuQuotaPercent / 100)
                .withCpuShares(cpuShares)
                .withPidsLimit(pidsLimit)
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(
                        workspace, tmpfsOptions + workspaceBytes,
                        "/tmp", tmpfsOptions + tmpBytes))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withNetworkMode(network)
                .withInit(true)
                .withUlimits(List.of(new Ulimit("nofile", nofile, nofile)))
                .withShmSize(tmpBytes)
                .withBinds(readOnlyMounts.entrySet().stream()
                        .map(m -> new Bind(m.getKey(), new Volume(m.getValue()), AccessMode.ro))
                        .toList());
        return runtime == null ? host : host.withRuntime(runtime);
    }
}
