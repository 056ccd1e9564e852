package io.boxq.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import io.boxq.core.config.SandboxUser;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

    private static ContainerSpec spec(SandboxUser user) {
        return spec(user, null);
    }

    private static ContainerSpec spec(SandboxUser user, String runtime) {
        return new ContainerSpec("boxq-sandbox:busybox", 256L << 20, 25, 512, 256, 128L << 20, 64L << 20, "none",
                runtime, user, "/workspace", 1024, Map.of(Labels.MANAGED, "true"));
    }

    @Test
    void both_tmpfs_mounts_belong_to_the_users_uid_and_gid_with_their_own_sizes() {
        HostConfig host = spec(new SandboxUser(1000, 2000)).hostConfig();

        assertThat(host.getTmpFs()).containsOnlyKeys("/workspace", "/tmp");
        assertThat(host.getTmpFs().get("/workspace").split(","))
                .contains("uid=1000", "gid=2000", "size=" + (128L << 20), "exec", "nosuid", "nodev");
        assertThat(host.getTmpFs().get("/tmp").split(","))
                .contains("uid=1000", "gid=2000", "size=" + (64L << 20), "exec", "nosuid", "nodev");
    }

    @Test
    void a_lone_uid_owns_the_mounts_with_the_same_number_as_group() {
        HostConfig host = spec(SandboxUser.parse("65534")).hostConfig();

        assertThat(host.getTmpFs().get("/workspace").split(",")).contains("uid=65534", "gid=65534");
    }

    @Test
    void under_runc_the_pids_cgroup_limits_the_processes() {
        for (String runc : new String[] {null, "runc"}) {
            HostConfig host = spec(SandboxUser.parse("65534"), runc).hostConfig();

            assertThat(host.getPidsLimit()).isEqualTo(256);
            assertThat(host.getUlimits()).extracting(Ulimit::getName).containsExactly("nofile");
        }
    }

    @Test
    void under_gvisor_rlimit_nproc_limits_the_processes_and_the_cgroup_leaves_room_for_its_threads() {
        HostConfig host = spec(SandboxUser.parse("65534"), "runsc").hostConfig();

        assertThat(host.getUlimits()).extracting(Ulimit::getName, Ulimit::getSoft, Ulimit::getHard)
                .contains(tuple("nproc", 256, 256), tuple("nofile", 1024, 1024));
        assertThat(host.getPidsLimit()).isEqualTo(256L * 64);
    }
}
