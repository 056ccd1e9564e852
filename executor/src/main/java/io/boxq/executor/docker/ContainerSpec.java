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
    /**
     * Under gVisor the host's pids cgroup counts the sandbox's host threads, not its processes: with
     * the ptrace platform every process inside costs ~8-17 host threads (a stub thread per gVisor
     * kernel thread that ran it), and a clone the cgroup refuses panics the whole sandbox (exit 2).
     * There the limit on processes is {@code RLIMIT_NPROC}, which gVisor enforces inside (a fork past it
     * fails with EAGAIN), and the host's pids limit is this many times larger, a bound on the host's
     * threads that a sandbox at its process limit stays under (docs/architecture.md, "Runtimes").
     */
    public static final int GVISOR_HOST_THREADS_PER_PROCESS = 64;

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
                .withPidsLimit(runc(runtime) ? pidsLimit : pidsLimit * GVISOR_HOST_THREADS_PER_PROCESS)
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(
                        workspace, tmpfsOptions + workspaceBytes,
                        "/tmp", tmpfsOptions + tmpBytes))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withNetworkMode(network)
                .withInit(true)
                .withUlimits(runc(runtime)
                        ? List.of(new Ulimit("nofile", nofile, nofile))
                        : List.of(new Ulimit("nofile", nofile, nofile), new Ulimit("nproc", pidsLimit, pidsLimit)))
                .withShmSize(tmpBytes)
                .withBinds(readOnlyMounts.entrySet().stream()
                        .map(m -> new Bind(m.getKey(), new Volume(m.getValue()), AccessMode.ro))
                        .toList());
        return runtime == null ? host : host.withRuntime(runtime);
    }

    /** Whether {@code runtime} is runc (the engine's default when unset) rather than a sandboxing runtime such as gVisor. */
    public static boolean runc(String runtime) {
        return runtime == null || runtime.isEmpty() || runtime.equals("runc") || runtime.equals("io.containerd.runc.v2");
    }
}
