package io.boxq.server;

import io.boxq.api.ApiServer;
import io.boxq.api.health.HealthServer;
import io.boxq.api.health.NodeHealth;
import io.boxq.api.metrics.ProcessMetrics;
import io.boxq.core.id.RandomIds;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.ConfigException;
import io.boxq.core.config.DotEnv;
import io.boxq.core.config.ServerConfig.Role;
import io.boxq.core.redis.Redis;
import io.boxq.executor.ExecutorNode;
import io.boxq.executor.pool.PoolStats;
import io.boxq.scheduler.MaintenanceScheduler;
import io.boxq.scheduler.NodeMaintenance;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the roles named in {@code BOXQ_ROLES} (or the arguments): {@code api}, {@code executor}, or
 * both, the all-in-one default. Stops them in reverse order on SIGTERM.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    public static void main(String[] args) {
        Map<String, String> env = new HashMap<>(DotEnv.overlay(Path.of(".env"), System.getenv()));
        if (args.length > 0) {
            env.put("BOXQ_ROLES", String.join(",", args));
        }
        BoxqConfig config;
        try {
            if (env.getOrDefault("BOXQ_ADMIN_KEY", "").isBlank()) {
                String generated = "bq_admin_" + RandomIds.hex(16);
                env.put("BOXQ_ADMIN_KEY", generated);
                System.out.println("BOXQ_ADMIN_KEY was not set; this run's admin key: " + generated);
            }
            config = BoxqConfig.fromEnv(env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Logging.apply(config.server());
        Main main = new Main();
        Runtime.getRuntime().addShutdownHook(new Thread(main::stop, "boxq-shutdown"));
        try {
            main.start(config);
        } catch (RuntimeException e) {
            log.error("boxq could not start: {}", e.getMessage());
            main.stop();
            System.exit(1);
        }
    }

    void start(BoxqConfig config) {
        Redis redis = new Redis(config.redis(), 64 + config.pool().maxPoolSize());
        started.push(redis);
        String described = ConfigPrinter.describe(config);
        if ("json".equals(config.server().logFormat())) {
            log.info("configuration\n{}", described); // one JSON object per line, this one too
        } else {
            System.out.print(described);
        }
        PrometheusMeterRegistry registry = ProcessMetrics.newRegistry(); // one per process, every role's meters
        ExecutorNode node = null;
        if (config.server().runs(Role.EXECUTOR)) {
            node = new ExecutorNode(config, redis, Clock.systemUTC(), registry);
            started.push(node);
            node.start();
            MaintenanceScheduler scheduler = new MaintenanceScheduler(config, maintenance(node));
            started.push(scheduler);
            scheduler.start();
        }
        ExecutorNode local = node;
        java.util.function.Supplier<Optional<NodeHealth>> health =
                () -> Optional.ofNullable(local).map(n -> health(n, config));
        if (config.server().runs(Role.API)) {
            ApiServer api = new ApiServer(config, redis, Clock.systemUTC(), health, registry).start();
            started.push(api);
            log.info("boxq api listening on {}:{}", config.server().host(), api.port());
        } else {
            HealthServer server = new HealthServer(config.server().host(), config.server().port(), redis, health,
                    config.server().workerId(), registry).start();
            started.push(server);
            log.info("boxq executor {} serving /health and /metrics on port {}", config.server().workerId(),
                    server.port());
        }
    }

    synchronized void stop() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("stopping {}: {}", c.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    private static NodeHealth health(ExecutorNode node, BoxqConfig config) {
        PoolStats s = node.poolStats();
        return new NodeHealth(node.node(), s.available(), s.allocated(), s.total(), s.maxCapacity(), s.sandboxes(),
                config.pool().poolSize(), config.pool().maxPoolSize(), config.pool().aggressiveCleanup(),
                node.pausedSandboxes());
    }

    /** The maintenance tasks' view of a node (also used by the in-process test server). */
    static NodeMaintenance maintenance(ExecutorNode node) {
        return new NodeMaintenance() {
            @Override
            public int rebalancePool() {
                return node.rebalancePool();
            }

            @Override
            public int shrinkIdle() {
                return node.shrinkIdle();
            }

            @Override
            public int sweepOrphans() {
                return node.sweepOrphans();
            }

            @Override
            public int reclaimStalledJobs() {
                return node.reclaimStalledJobs();
            }

            @Override
            public void heartbeat() {
                node.heartbeat();
            }

            @Override
            public int dispatchWebhooks() {
                return node.dispatchWebhooks();
            }

            @Override
            public int monitorResources() {
                return node.monitorResources();
            }

            @Override
            public int removeDanglingImages() {
                return node.removeDanglingImages();
            }

            @Override
            public int sweepSnapshots() {
                return node.sweepSnapshots();
            }
        };
    }
}
