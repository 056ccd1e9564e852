package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.boxq.core.auth.Tier;
import io.boxq.core.config.JobConfig.RunnerKind;
import io.boxq.core.config.ServerConfig.Role;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoxqConfigTest {

    @Test
    void defaults_are_the_seeds_numbers() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of());

        assertThat(c.pool().poolSize()).isEqualTo(10);
        assertThat(c.pool().minPoolSize()).isEqualTo(3);
        assertThat(c.pool().maxPoolSize()).isEqualTo(80);
        assertThat(c.pool().aggressiveCleanup()).isTrue();
        assertThat(c.pool().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.sandbox().cpuQuotaPercent()).isEqualTo(25);
        assertThat(c.sandbox().network()).isEqualTo("none");
        assertThat(c.sandbox().user()).isEqualTo(new SandboxUser(65534, 65534));
        assertThat(c.sandbox().workspace()).isEqualTo("/workspace");
        assertThat(c.sandboxLimits().sessionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.sandboxLimits().cleanupInterval()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.sandboxLimits().maxTotalSandboxes()).isEqualTo(100);
        assertThat(c.jobs().commandTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.limits(Tier.FREE).memoryBytes()).isEqualTo(256L << 20);
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().roles()).containsExactlyInAnyOrder(Role.API, Role.EXECUTOR);
        assertThat(c.redis().url()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(c.redis().prefix()).isEqualTo("boxq:");
    }

    @Test
    void sentinels_a_master_name_and_acknowledged_writes_are_read() {
        RedisConfig r = BoxqConfig.fromEnv(Map.of("REDIS_SENTINELS", "10.0.0.1:26379, 10.0.0.2:26379",
                "REDIS_MASTER_NAME", "boxq", "REDIS_PASSWORD", "pw", "REDIS_SENTINEL_PASSWORD", "spw",
                "REDIS_WAIT_REPLICAS", "1", "REDIS_WAIT_TIMEOUT_MS", "250")).redis();

        assertThat(r.usesSentinel()).isTrue();
        assertThat(r.sentinels()).containsExactly("10.0.0.1:26379", "10.0.0.2:26379");
        assertThat(r.masterName()).isEqualTo("boxq");
        assertThat(r.password()).isEqualTo("pw");
        assertThat(r.sentinelPassword()).isEqualTo("spw");
        assertThat(r.waitReplicas()).isEqualTo(1);
        assertThat(r.waitTimeout()).isEqualTo(Duration.ofMillis(250));
        RedisConfig plain = BoxqConfig.fromEnv(Map.of()).redis();
        assertThat(plain.usesSentinel()).isFalse();
        assertThat(plain.waitReplicas()).isZero();
    }

    @Test
    void sentinels_without_a_master_name_or_with_a_bad_address_are_named() {
        assertThatThrownBy(() -> BoxqConfig.fromEnv(Map.of("REDIS_SENTINELS", "127.0.0.1:26379,nohost",
                "REDIS_WAIT_REPLICAS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_MASTER_NAME")
                .hasMessageContaining("nohost")
                .hasMessageContaining("REDIS_WAIT_REPLICAS");
    }

    @Test
    void a_redis_url_whose_tls_user_or_database_sentinel_mode_would_drop_is_refused() {
        Map<String, String> sentinels = Map.of("REDIS_SENTINELS", "10.0.0.1:26379", "REDIS_MASTER_NAME", "boxq");
        for (String url : List.of("rediss://10.0.0.5:6380", "redis://app:secret@10.0.0.5:6379", "redis://10.0.0.5:6379/3")) {
            Map<String, String> env = new HashMap<>(sentinels);
            env.put("REDIS_URL", url);
            assertThatThrownBy(() -> BoxqConfig.fromEnv(env)).as(url).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("REDIS_URL is not used with REDIS_SENTINELS");
        }
        assertThat(BoxqConfig.droppedWithSentinels("rediss://u:p@h:1/2")).hasValue("TLS (rediss://), a user or password, database 2");
        for (String quiet : List.of("redis://10.0.0.5:6379", "redis://10.0.0.5:6379/0", "redis://redis:6379/")) {
            Map<String, String> env = new HashMap<>(sentinels);
            env.put("REDIS_URL", quiet);
            assertThat(BoxqConfig.fromEnv(env).redis().usesSentinel()).as(quiet).isTrue();
        }
        assertThat(BoxqConfig.fromEnv(Map.of("REDIS_URL", "rediss://u:p@h:1/2")).redis().url())
                .as("without Sentinels the URL is used as it is").isEqualTo("rediss://u:p@h:1/2");
    }

    @Test
    void canonical_names_set_their_values() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of(
                "POOL_SIZE", "4", "MIN_POOL_SIZE", "2", "MAX_POOL_SIZE", "9", "CPU_QUOTA_PERCENT", "50",
                "CONTAINER_IDLE_TIMEOUT_MINUTES", "7", "CLEANUP_INTERVAL_SECONDS", "42",
                "COMMAND_TIMEOUT_SECONDS", "12", "MEMORY_LIMIT", "512m", "BOXQ_ROLES", "executor",
                "RUNNER", "exec"));

        assertThat(c.pool()).extracting(PoolConfig::poolSize, PoolConfig::minPoolSize, PoolConfig::maxPoolSize)
                .containsExactly(4, 2, 9);
        assertThat(c.sandbox().cpuQuotaPercent()).isEqualTo(50);
        assertThat(c.pool().idleTimeout()).isEqualTo(Duration.ofMinutes(7));
        assertThat(c.sandboxLimits().cleanupInterval()).isEqualTo(Duration.ofSeconds(42));
        assertThat(c.jobs().commandTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(c.limits(Tier.FREE).memoryBytes()).isEqualTo(512L << 20);
        assertThat(c.limits(Tier.PRO).memoryBytes()).isEqualTo(1L << 30);
        assertThat(c.server().roles()).containsExactly(Role.EXECUTOR);
        assertThat(c.jobs().runner()).isEqualTo(RunnerKind.EXEC);
    }

    @Test
    void cleanup_interval_minutes_is_an_alias_and_seconds_win_over_it() {
        assertThat(BoxqConfig.fromEnv(Map.of("CLEANUP_INTERVAL_MINUTES", "2")).sandboxLimits().cleanupInterval())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(BoxqConfig.fromEnv(Map.of("CLEANUP_INTERVAL_MINUTES", "2", "CLEANUP_INTERVAL_SECONDS", "30"))
                .sandboxLimits().cleanupInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void idle_timeout_is_an_alias_and_the_canonical_name_wins() {
        assertThat(BoxqConfig.fromEnv(Map.of("IDLE_TIMEOUT", "9")).pool().idleTimeout())
                .isEqualTo(Duration.ofMinutes(9));
        assertThat(BoxqConfig.fromEnv(Map.of("IDLE_TIMEOUT", "9", "CONTAINER_IDLE_TIMEOUT_MINUTES", "4"))
                .pool().idleTimeout()).isEqualTo(Duration.ofMinutes(4));
    }

    @Test
    void container_memory_limit_in_bytes_sets_the_free_tier_and_memory_limit_wins() {
        assertThat(BoxqConfig.fromEnv(Map.of("CONTAINER_MEMORY_LIMIT", "134217728")).limits(Tier.FREE).memoryBytes())
                .isEqualTo(128L << 20);
        assertThat(BoxqConfig.fromEnv(Map.of("CONTAINER_MEMORY_LIMIT", "134217728", "MEMORY_LIMIT", "1g"))
                .limits(Tier.FREE).memoryBytes()).isEqualTo(1L << 30);
    }

    @Test
    void memory_limit_wins_over_tier_free_memory_and_leaves_the_other_tiers_alone() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of("MEMORY_LIMIT", "512m", "TIER_FREE_MEMORY", "128m"));

        assertThat(c.limits(Tier.FREE).memoryBytes()).isEqualTo(512L << 20);
        assertThat(c.limits(Tier.PRO).memoryBytes()).isEqualTo(1L << 30);
        assertThat(BoxqConfig.fromEnv(Map.of("TIER_FREE_MEMORY", "128m")).limits(Tier.FREE).memoryBytes())
                .isEqualTo(128L << 20);
    }

    @Test
    void blank_values_count_as_unset() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of("POOL_SIZE", "  ", "PORT", ""));

        assertThat(c.pool().poolSize()).isEqualTo(10);
        assertThat(c.server().port()).isEqualTo(8080);
    }

    @Test
    void every_bad_variable_is_reported_in_one_exception() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> BoxqConfig.fromEnv(Map.of(
                "PORT", "eighty",
                "POOL_SIZE", "-1",
                "CPU_QUOTA_PERCENT", "0",
                "AGGRESSIVE_CLEANUP", "maybe",
                "MEMORY_LIMIT", "lots",
                "RUNNER", "warp",
                "BOXQ_ROLES", "web",
                "CLEANUP_INTERVAL_MINUTES", "soon")));

        assertThat(e).isNotNull();
        assertThat(String.join("\n", e.problems())).contains("PORT=eighty", "POOL_SIZE=-1", "CPU_QUOTA_PERCENT=0",
                "AGGRESSIVE_CLEANUP=maybe", "MEMORY_LIMIT=lots", "RUNNER=warp", "'web'", "CLEANUP_INTERVAL_MINUTES=soon");
        assertThat(e.getMessage()).contains(e.problems().size() + " problem(s)", "PORT=eighty", "RUNNER=warp");
    }

    @Test
    void the_agent_is_the_default_runner_and_the_removed_shell_runner_is_a_clear_error() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of());
        assertThat(c.jobs().runner()).isEqualTo(RunnerKind.AGENT);
        assertThat(c.jobs().agentDir()).isEqualTo("/var/lib/boxq/agent");
        assertThat(c.jobs().agentBinary()).isNull();
        assertThat(BoxqConfig.fromEnv(Map.of("AGENT_DIR", "/srv/agent", "AGENT_BINARY", "/opt/a")).jobs())
                .extracting(JobConfig::agentDir, JobConfig::agentBinary).containsExactly("/srv/agent", "/opt/a");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> BoxqConfig.fromEnv(Map.of("RUNNER", "shell")));
        assertThat(e.getMessage()).contains("RUNNER=shell", "agent");
    }

    @Test
    void sandbox_user_takes_a_uid_or_a_uid_and_gid() {
        assertThat(BoxqConfig.fromEnv(Map.of("SANDBOX_USER", "1000")).sandbox().user())
                .isEqualTo(new SandboxUser(1000, 1000));
        assertThat(BoxqConfig.fromEnv(Map.of("SANDBOX_USER", "1000:2000")).sandbox().user())
                .isEqualTo(new SandboxUser(1000, 2000));
    }

    @Test
    void a_sandbox_user_that_is_not_uid_or_uid_gid_stops_the_start_with_its_value_named() {
        for (String bad : java.util.List.of("nobody", "1000:", ":1000", "1000:1000:1000", "-1", "1000:nogroup",
                "99999999999")) {
            ConfigException e = catchThrowableOfType(ConfigException.class,
                    () -> BoxqConfig.fromEnv(Map.of("SANDBOX_USER", bad)));

            assertThat(e).as(bad).isNotNull();
            assertThat(e.problems()).as(bad).singleElement().asString()
                    .startsWith("SANDBOX_USER=" + bad + " ").contains("uid:gid");
        }
    }

    @Test
    void the_log_level_is_one_of_logbacks_levels_in_any_case() {
        assertThat(BoxqConfig.fromEnv(Map.of()).server().logLevel()).isEqualTo("INFO");
        assertThat(BoxqConfig.fromEnv(Map.of("BOXQ_LOG_LEVEL", "debug")).server().logLevel()).isEqualTo("DEBUG");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> BoxqConfig.fromEnv(Map.of("BOXQ_LOG_LEVEL", "loud")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("BOXQ_LOG_LEVEL", "LOUD", "TRACE, DEBUG, INFO");
    }

    @Test
    void pool_bounds_must_be_consistent() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> BoxqConfig.fromEnv(Map.of("MIN_POOL_SIZE", "5", "MAX_POOL_SIZE", "4", "POOL_SIZE", "2")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("MIN_POOL_SIZE", "MAX_POOL_SIZE");
    }

    @Test
    void redis_prefix_always_ends_with_a_colon() {
        assertThat(BoxqConfig.fromEnv(Map.of("BOXQ_REDIS_PREFIX", "test-1")).redis().prefix()).isEqualTo("test-1:");
        assertThat(BoxqConfig.fromEnv(Map.of("BOXQ_REDIS_PREFIX", "test-2:")).redis().prefix()).isEqualTo("test-2:");
    }

    @Test
    void the_configured_image_is_always_allowed() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of("SANDBOX_IMAGE", "boxq-sandbox:busybox"));

        assertThat(c.sandbox().image()).isEqualTo("boxq-sandbox:busybox");
        assertThat(c.sandbox().allowedImages()).containsExactly("boxq-sandbox:busybox", "boxq-sandbox:bookworm");
    }

    @Test
    void workspace_defaults_to_half_the_memory() {
        SandboxConfig s = BoxqConfig.fromEnv(Map.of()).sandbox();

        assertThat(s.workspaceBytesFor(256L << 20)).isEqualTo(128L << 20);
        assertThat(BoxqConfig.fromEnv(Map.of("CONTAINER_STORAGE_SIZE", "1g")).sandbox().workspaceBytesFor(256L << 20))
                .isEqualTo(1L << 30);
    }
}
