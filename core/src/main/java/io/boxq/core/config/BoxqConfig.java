package io.boxq.core.config;

import io.boxq.core.auth.Tier;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.JobConfig.RunnerKind;
import io.boxq.core.config.ServerConfig.Role;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * All of boxq's configuration, built once from the environment. Nothing else reads environment
 * variables; every part gets the piece it needs through its constructor.
 */
public record BoxqConfig(
        ServerConfig server,
        RedisConfig redis,
        PoolConfig pool,
        SandboxConfig sandbox,
        JobConfig jobs,
        SandboxLimitsConfig sandboxLimits,
        MaintenanceConfig maintenance,
        Map<Tier, TierLimits> tiers,
        WebhookConfig webhooks,
        MonitorConfig monitor,
        SnapshotConfig snapshots) {

    public static final String DEFAULT_IMAGE = "boxq-sandbox:bookworm";
    public static final String DEFAULT_RUNTIME = "runc";
    public static final String BUSYBOX_IMAGE = "boxq-sandbox:busybox";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_MIN_POOL_SIZE = 3;
    public static final int DEFAULT_MAX_POOL_SIZE = 80;
    public static final int DEFAULT_CPU_QUOTA_PERCENT = 25;
    public static final int DEFAULT_OUTPUT_LIMIT_BYTES = 1 << 20;
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

    public BoxqConfig {
        tiers = Map.copyOf(tiers);
    }

    public TierLimits limits(Tier tier) {
        return tiers.get(tier);
    }

    /**
     * Builds the configuration from {@code env}.
     *
     * @throws ConfigException naming every variable that is malformed or out of range
     */
    public static BoxqConfig fromEnv(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        ServerConfig server = new ServerConfig(
                r.string("HOST", "0.0.0.0"),
                r.integer("PORT", DEFAULT_PORT, 0, 65535),
                roles(r),
                r.raw("WORKER_ID").orElseGet(() -> "node-" + env.getOrDefault("HOSTNAME", "local")),
                r.raw("BOXQ_ADMIN_KEY").orElse(null),
                r.bool("DEBUG", false),
                r.string("LOG_FORMAT", "text"),
                r.string("BOXQ_LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT));
        if (!List.of("text", "json").contains(server.logFormat())) {
            r.problem("LOG_FORMAT=" + server.logFormat() + " is unknown (use text or json)");
        }
        if (!ServerConfig.LOG_LEVELS.contains(server.logLevel())) {
            r.problem("BOXQ_LOG_LEVEL=" + server.logLevel() + " is unknown (use one of "
                    + String.join(", ", ServerConfig.LOG_LEVELS) + ")");
        }
        RedisConfig redis = redis(r);
        int min = r.integer("MIN_POOL_SIZE", DEFAULT_MIN_POOL_SIZE, 0, 10_000);
        int max = r.integer("MAX_POOL_SIZE", DEFAULT_MAX_POOL_SIZE, 1, 10_000);
        int size = r.integer("POOL_SIZE", DEFAULT_POOL_SIZE, 0, 10_000);
        if (min > max || size > max) {
            r.problem("MIN_POOL_SIZE (" + min + ") and POOL_SIZE (" + size
                    + ") must not exceed MAX_POOL_SIZE (" + max + ")");
        }
        PoolConfig pool = new PoolConfig(size, min, max, r.bool("AGGRESSIVE_CLEANUP", true),
                r.minutes(new String[] {"CONTAINER_IDLE_TIMEOUT_MINUTES", "IDLE_TIMEOUT"}, Duration.ofMinutes(5)));
        String image = r.string("SANDBOX_IMAGE", DEFAULT_IMAGE);
        List<String> runtimes = runtimes(r);
        SandboxConfig sandbox = new SandboxConfig(
                r.string("DOCKER_HOST", "unix:///var/run/docker.sock"),
                image,
                r.raw("ALLOWED_IMAGES").map(BoxqConfig::list).orElse(List.copyOf(new java.util.LinkedHashSet<>(List.of(image, DEFAULT_IMAGE, BUSYBOX_IMAGE)))),
                r.integer("CPU_QUOTA_PERCENT", DEFAULT_CPU_QUOTA_PERCENT, 1, 100 * 256),
                r.integer("CONTAINER_CPU_SHARES", 512, 2, 262_144),
                r.longValue(new String[] {"PIDS_LIMIT"}, 256, 16, 1_000_000),
                r.bytes("CONTAINER_STORAGE_SIZE", 0),
                r.bytes("TMP_SIZE", 64L << 20),
                r.string("SANDBOX_NETWORK", "none"),
                runtimes.get(0),
                runtimes,
                sandboxUser(r),
                r.string("WORKSPACE", "/workspace"),
                r.longValue(new String[] {"NOFILE_LIMIT"}, 1024, 64, 1 << 20));
        JobConfig jobs = new JobConfig(
                r.seconds("COMMAND_TIMEOUT_SECONDS", DEFAULT_COMMAND_TIMEOUT, 86_400),
                r.seconds("MAX_COMMAND_TIMEOUT_SECONDS", Duration.ofHours(1), 7 * 86_400),
                r.integer("OUTPUT_LIMIT_BYTES", DEFAULT_OUTPUT_LIMIT_BYTES, 1024, 64 << 20),
                r.seconds("JOB_RESULT_TTL_SECONDS", Duration.ofHours(24), 365L * 86_400),
                runner(r),
                r.integer("MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20),
                (int) Math.min(Integer.MAX_VALUE - 1, r.bytes("FILE_MAX_BYTES", 10L << 20)),
                r.string("AGENT_DIR", JobConfig.DEFAULT_AGENT_DIR),
                r.raw("AGENT_BINARY").orElse(null));
        SandboxLimitsConfig sandboxLimits = new SandboxLimitsConfig(
                r.minutes(new String[] {"SESSION_TIMEOUT_MINUTES"}, Duration.ofMinutes(15)),
                r.raw("SANDBOX_LIFETIME_HOURS").isPresent()
                        ? Duration.ofHours(r.longValue(new String[] {"SANDBOX_LIFETIME_HOURS"}, 24, 1, 24 * 365))
                        : Duration.ofDays(3650),
                r.secondsOrMinutes("CLEANUP_INTERVAL_SECONDS", "CLEANUP_INTERVAL_MINUTES", Duration.ofSeconds(300)),
                r.integer("MAX_TOTAL_SANDBOXES", 100, 0, 1_000_000),
                optionalInt(r, "MAX_SANDBOXES_PER_API_KEY"),
                optionalInt(r, "MAX_SANDBOXES_PER_USER"),
                Duration.ofSeconds(r.longValue(new String[] {"ENDED_SANDBOX_RETENTION_SECONDS"},
                        SandboxLimitsConfig.DEFAULT_ENDED_RETENTION.toSeconds(), 0, 30L * 86_400)));
        MaintenanceConfig maintenance = new MaintenanceConfig(
                r.seconds("REBALANCE_INTERVAL_SECONDS", Duration.ofSeconds(5), 3600),
                r.seconds("SHRINK_INTERVAL_SECONDS", Duration.ofSeconds(30), 3600),
                r.seconds("HEARTBEAT_INTERVAL_SECONDS", Duration.ofSeconds(5), 600),
                r.seconds("NODE_TTL_SECONDS", Duration.ofSeconds(15), 3600),
                r.seconds("RECLAIM_INTERVAL_SECONDS", Duration.ofSeconds(15), 3600),
                r.seconds("LEASE_TIMEOUT_SECONDS", Duration.ofSeconds(30), 3600),
                r.integer("MAX_DELIVERIES", 5, 1, 1000),
                r.seconds("SHUTDOWN_GRACE_SECONDS", Duration.ofSeconds(30), 3600));
        Map<Tier, TierLimits> tiers = tiers(r, runtimes);
        WebhookConfig webhooks = WebhookConfig.fromEnv(r);
        MonitorConfig monitor = MonitorConfig.fromEnv(r);
        SnapshotConfig snapshots = SnapshotConfig.fromEnv(r);
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.problems());
        }
        return new BoxqConfig(server, redis, pool, sandbox, jobs, sandboxLimits, maintenance, tiers, webhooks, monitor, snapshots);
    }

    private static RedisConfig redis(EnvReader r) {
        List<String> sentinels = r.raw("REDIS_SENTINELS").map(BoxqConfig::list).orElse(List.of());
        for (String s : sentinels) {
            if (!s.matches("[^:\\s]+:\\d{1,5}")) {
                r.problem("REDIS_SENTINELS has " + s + ", not host:port");
            }
        }
        String master = r.raw("REDIS_MASTER_NAME").orElse(null);
        if (!sentinels.isEmpty() && master == null) {
            r.problem("REDIS_SENTINELS is set but REDIS_MASTER_NAME is not (the name the Sentinels monitor)");
        }
        if (!sentinels.isEmpty()) {
            r.raw("REDIS_URL").flatMap(BoxqConfig::droppedWithSentinels).ifPresent(dropped -> r.problem(
                    "REDIS_URL is not used with REDIS_SENTINELS, and it sets " + dropped + ", which would be dropped "
                            + "unseen; unset REDIS_URL (a password goes in REDIS_PASSWORD)"));
        }
        return new RedisConfig(r.string("REDIS_URL", "redis://127.0.0.1:6379"), r.string("BOXQ_REDIS_PREFIX", "boxq:"),
                sentinels, master, r.raw("REDIS_PASSWORD").orElse(null), r.raw("REDIS_SENTINEL_PASSWORD").orElse(null),
                r.integer("REDIS_WAIT_REPLICAS", 0, 0, 16),
                Duration.ofMillis(r.integer("REDIS_WAIT_TIMEOUT_MS", RedisConfig.DEFAULT_WAIT_TIMEOUT_MS, 1, 60_000)));
    }

    /**
     * What a Redis URL asks for that Sentinel mode does not do: TLS, a user or password in the URL,
     * a database other than 0. Empty when it holds nothing but a host and port (ignored quietly).
     */
    static Optional<String> droppedWithSentinels(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not read at all with Sentinels
        }
        List<String> dropped = new ArrayList<>();
        if ("rediss".equalsIgnoreCase(uri.getScheme())) {
            dropped.add("TLS (rediss://)");
        }
        if (uri.getRawUserInfo() != null) {
            dropped.add("a user or password");
        }
        String db = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        if (!db.isEmpty() && !db.equals("0")) {
            dropped.add("database " + db);
        }
        return dropped.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", dropped));
    }

    private static Set<Role> roles(EnvReader r) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : list(r.string("BOXQ_ROLES", "api,executor"))) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "api" -> roles.add(Role.API);
                case "executor" -> roles.add(Role.EXECUTOR);
                default -> r.problem("BOXQ_ROLES names an unknown role '" + name + "' (use api, executor)");
            }
        }
        if (roles.isEmpty()) {
            r.problem("BOXQ_ROLES names no role (use api, executor or both)");
        }
        return roles;
    }

    private static SandboxUser sandboxUser(EnvReader r) {
        String value = r.raw("SANDBOX_USER").orElse(null);
        if (value == null) {
            return SandboxUser.NOBODY;
        }
        try {
            return SandboxUser.parse(value);
        } catch (IllegalArgumentException e) {
            r.problem("SANDBOX_USER=" + value + " " + e.getMessage());
            return SandboxUser.NOBODY;
        }
    }

    private static RunnerKind runner(EnvReader r) {
        String name = r.string("RUNNER", "agent").toLowerCase(Locale.ROOT);
        return switch (name) {
            case "agent" -> RunnerKind.AGENT;
            case "exec" -> RunnerKind.EXEC;
            case "shell", "runner" -> {
                r.problem("RUNNER=" + name + " is gone: the shell runner was replaced by the native agent (use agent, the default, or exec)");
                yield RunnerKind.AGENT;
            }
            default -> {
                r.problem("RUNNER=" + name + " is unknown (use agent or exec)");
                yield RunnerKind.AGENT;
            }
        };
    }

    /**
     * {@code ALLOWED_RUNTIMES}, the deployment's default ({@code SANDBOX_RUNTIME}, else the first
     * allowed, else runc) first.
     */
    private static List<String> runtimes(EnvReader r) {
        String runtime = r.raw("SANDBOX_RUNTIME").map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        List<String> allowed = r.raw("ALLOWED_RUNTIMES").map(BoxqConfig::list)
                .orElse(List.of(runtime != null ? runtime : DEFAULT_RUNTIME));
        if (allowed.isEmpty()) {
            r.problem("ALLOWED_RUNTIMES names no runtime (e.g. runc or runc,runsc)");
            return List.of(DEFAULT_RUNTIME);
        }
        for (String name : allowed) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                r.problem("ALLOWED_RUNTIMES names '" + name + "', which is no runtime name");
            }
        }
        if (runtime == null) {
            return allowed;
        }
        if (!allowed.contains(runtime)) {
            r.problem("SANDBOX_RUNTIME=" + runtime + " (the default runtime) is not in ALLOWED_RUNTIMES " + allowed);
        }
        List<String> ordered = new java.util.ArrayList<>(List.of(runtime));
        allowed.stream().filter(n -> !n.equals(runtime)).forEach(ordered::add);
        return List.copyOf(ordered);
    }

    private static Map<Tier, TierLimits> tiers(EnvReader r, List<String> runtimes) {
        Map<Tier, TierLimits> tiers = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            TierLimits d = TierLimits.defaultsFor(tier);
            String p = "TIER_" + tier.name() + "_";
            long memory = r.bytes(p + "MEMORY", d.memoryBytes());
            if (tier == Tier.FREE) {
                // The seeds' names for the default container memory set the free shape.
                memory = r.raw("MEMORY_LIMIT").isPresent() ? r.bytes("MEMORY_LIMIT", memory)
                        : r.bytes("CONTAINER_MEMORY_LIMIT", memory);
            }
            tiers.put(tier, new TierLimits(
                    r.integer(p + "SANDBOXES", d.maxSandboxes(), 0, 1_000_000),
                    memory,
                    Duration.ofHours(r.longValue(new String[] {p + "LIFETIME_HOURS"}, d.maxLifetime().toHours(), 1, 24 * 365)),
                    r.integer(p + "CONCURRENT_JOBS", d.concurrentJobs(), 1, 100_000),
                    r.integer(p + "REQUESTS_PER_MINUTE", d.requestsPerMinute(), 1, 100_000_000),
                    tierRuntimes(r, p + "RUNTIMES", runtimes)));
        }
        return tiers;
    }

    /** {@code TIER_<NAME>_RUNTIMES}: a tier's runtimes (its default first), within ALLOWED_RUNTIMES; all of them when unset. */
    private static List<String> tierRuntimes(EnvReader r, String name, List<String> allowed) {
        List<String> runtimes = r.raw(name).map(BoxqConfig::list).orElse(allowed);
        if (runtimes.isEmpty()) {
            r.problem(name + " names no runtime");
            return allowed;
        }
        List<String> unknown = runtimes.stream().filter(n -> !allowed.contains(n)).toList();
        if (!unknown.isEmpty()) {
            r.problem(name + " names " + unknown + ", not in ALLOWED_RUNTIMES " + allowed);
        }
        return runtimes;
    }

    private static OptionalInt optionalInt(EnvReader r, String name) {
        return r.raw(name).isPresent() ? OptionalInt.of(r.integer(name, 0, 0, 1_000_000)) : OptionalInt.empty();
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
