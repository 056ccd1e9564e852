package io.boxq.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.HostConfig;
import io.boxq.core.config.SandboxUser;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

    private static ContainerSpec spec(SandboxUser user) {
        return new ContainerSpec("boxq-sandbox:busybox", 256L << 20, 25, 512, 256, 128L << 20, 64L << 20, "none",
                null, user, "/workspace", 1024, Map.of(Labels.MANAGED, "true"));
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
}
