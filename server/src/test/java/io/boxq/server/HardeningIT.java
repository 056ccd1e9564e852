package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import io.boxq.executor.docker.Labels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lockdown of docs/architecture.md, "Containers", seen from inside a job's container (and from the engine's side
 * where only the engine can tell): an unprivileged user, a read-only root, no network, no
 * capabilities, memory and pids limits that stop a job without hurting the server.
 */
class HardeningIT {
    private static final long FREE_TIER_MEMORY = 256L << 20;
    /** TMP_SIZE's default. */
    private static final long TMP_SIZE = 64L << 20;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("hardening", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient client;
    private static String key;

    @BeforeAll
    static void startServer() {
        key = client.createKey(server.adminKey(), "hardening", "free").path("key").asText();
    }

    @Test
    void commands_run_as_nobody() {
        JsonNode job = client.run(key, "id -u; id -g");

        assertThat(job.path("stdout").asText()).isEqualTo("65534\n65534\n");
    }

    @Test
    void a_sandbox_user_given_as_uid_and_gid_runs_the_commands_and_owns_workspace_and_tmp() {
        BoxqTestServer other = BoxqTestServer.start("hardening-uid",
                Map.of("SANDBOX_USER", "1000:2000", "POOL_SIZE", "1", "MIN_POOL_SIZE", "0", "MAX_POOL_SIZE", "2"));
        try {
            String otherKey = other.client.createKey(other.adminKey(), "uid-gid", "free").path("key").asText();

            JsonNode job = other.client.run(otherKey, "id -u; id -g; stat -c %u:%g /workspace /tmp; "
                    + "touch /workspace/x && touch /tmp/x && echo writable");

            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
            assertThat(job.path("stdout").asText()).isEqualTo("1000\n2000\n1000:2000\n1000:2000\nwritable\n");
        } finally {
            other.stopAndAssertClean();
        }
    }

    @Test
    void the_root_is_read_only_while_workspace_and_tmp_are_writable() {
        JsonNode job = client.run(key, "touch /x 2>/dev/null && echo root-writable || echo root-read-only; "
                + "touch /workspace/x && echo workspace-writable; touch /tmp/x && echo tmp-writable; pwd");

        assertThat(job.path("stdout").asText())
                .isEqualTo("root-read-only\nworkspace-writable\ntmp-writable\n/workspace\n");
    }

    @Test
    void the_only_network_interface_is_loopback() {
        JsonNode job = client.run(key, "cat /proc/net/dev");

        List<String> interfaces = job.path("stdout").asText().lines().skip(2)
                .map(line -> line.substring(0, line.indexOf(':')).trim()).toList();
        assertThat(interfaces).containsExactly("lo");
    }

    @Test
    void commands_have_no_capabilities_and_cannot_gain_privileges() {
        JsonNode job = client.run(key, "cat /proc/self/status");

        Map<String, String> status = job.path("stdout").asText().lines().filter(l -> l.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).trim(),
                        (a, b) -> a));
        assertThat(status).containsEntry("CapEff", "0000000000000000")
                .containsEntry("CapPrm", "0000000000000000")
                .containsEntry("CapBnd", "0000000000000000");
        if (TestEnvironment.testRuntime().equals("runc")) { // gVisor's /proc/<pid>/status has no NoNewPrivs line
            assertThat(status).containsEntry("NoNewPrivs", "1");
        }
    }

    @Test
    void the_container_is_labelled_and_limited_as_designed() {
        String containerId = client.run(key, "hostname").path("stdout").asText().trim();

        InspectContainerResponse c = TestEnvironment.inspect(containerId);

        assertThat(c.getConfig().getLabels()).containsEntry(Labels.MANAGED, "true")
                .containsEntry(Labels.NODE, server.workerId());
        assertThat(c.getConfig().getUser()).as("uid:gid, not the image's idea of the group").isEqualTo("65534:65534");
        HostConfig host = c.getHostConfig();
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getMemory()).isEqualTo(FREE_TIER_MEMORY);
        assertThat(host.getMemorySwap()).isEqualTo(FREE_TIER_MEMORY);
        assertThat(host.getCpuQuota()).isEqualTo(25_000L);
        assertThat(host.getCpuPeriod()).isEqualTo(100_000L);
        assertThat(host.getPidsLimit()).isEqualTo(256L);
        assertThat(host.getNetworkMode()).isEqualTo("none");
        assertThat(host.getInit()).isTrue();
        assertThat(Arrays.stream(host.getCapDrop()).map(Enum::name)).containsExactly("ALL");
        assertThat(host.getSecurityOpts()).contains("no-new-privileges");
        assertThat(host.getTmpFs()).containsOnlyKeys("/workspace", "/tmp");
        assertThat(host.getTmpFs().get("/workspace").split(","))
                .contains("size=" + FREE_TIER_MEMORY / 2, "uid=65534", "gid=65534", "exec", "nosuid", "nodev");
        assertThat(host.getTmpFs().get("/tmp").split(","))
                .contains("size=" + TMP_SIZE, "uid=65534", "gid=65534", "exec", "nosuid", "nodev");
    }

    @Test
    void workspace_and_tmp_are_tmpfs_of_their_sizes_owned_by_the_user() {
        JsonNode job = client.run(key, "grep -E ' /(workspace|tmp) ' /proc/mounts; stat -c '%n %u:%g' /workspace /tmp");

        List<String> lines = job.path("stdout").asText().lines().toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("tmpfs /workspace tmpfs ")
                .contains("size=" + FREE_TIER_MEMORY / 2 / 1024 + "k", "uid=65534", "gid=65534"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("tmpfs /tmp tmpfs ")
                .contains("size=" + TMP_SIZE / 1024 + "k", "uid=65534", "gid=65534"));
        assertThat(lines).contains("/workspace 65534:65534", "/tmp 65534:65534");
    }

    @Test
    void allocating_400_mb_under_the_free_tiers_256_mib_is_killed() {
        JsonNode job = client.run(key, Map.of("image", TestEnvironment.BOOKWORM,
                "command", "python3 -c \"b = bytearray(400 * 1024 * 1024); print('survived')\""));

        assertThat(job.path("state").asText()).isEqualTo("failed");
        assertThat(job.path("exit_code").asInt()).as("SIGKILL by the OOM killer").isEqualTo(137);
        assertThat(job.path("stdout").asText()).doesNotContain("survived");
    }

    @Test
    void a_fork_bomb_is_stopped_by_the_pids_limit_and_the_server_stays_healthy() {
        JsonNode bomb = client.run(key, Map.of("timeout_s", 20,
                "command", "i=0; while [ $i -lt 1000 ]; do sleep 300 & i=$((i+1)); done; echo survived"));

        assertThat(bomb.path("state").asText()).isIn("failed", "timed_out");
        assertThat(bomb.path("stdout").asText()).doesNotContain("survived");
        assertThat(bomb.path("stderr").asText()).contains("can't fork: Resource temporarily unavailable");
        assertThat(client.get("/health", null).json().path("status").asText()).isEqualTo("healthy");
        String otherKey = client.createKey(server.adminKey(), "bystander", "free").path("key").asText();
        JsonNode after = client.run(otherKey, "echo ok | cat");
        assertThat(after.path("state").asText()).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).isEqualTo("ok\n");
    }
}
