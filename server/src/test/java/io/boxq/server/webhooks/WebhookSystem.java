package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.boxq.api.ApiServer;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.ExecutorNode;
import io.boxq.scheduler.MaintenanceScheduler;
import io.boxq.scheduler.NodeMaintenance;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * boxq wired as {@code Main} wires it (api, executor node, Quartz maintenance), on a free port with
 * its own Redis prefix and worker id, for the webhook ITs. The node can be stopped and a new one
 * started on the same Redis prefix; {@link #close()} removes the containers of every node it ran
 * (by their {@code boxq.node} label) and the prefix's Redis keys.
 */
final class WebhookSystem implements AutoCloseable {
    private final Map<String, String> env;
    private final BoxqConfig config;
    private final Redis redis;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> workerIds = new ArrayList<>();
    private ApiServer api;
    private ExecutorNode node;
    private MaintenanceScheduler scheduler;

    private WebhookSystem(Map<String, String> env) {
        this.env = env;
        this.config = BoxqConfig.fromEnv(env);
        this.redis = new Redis(config.redis().url(), config.redis().prefix(), 16);
    }

    /** The environment of a small test system; {@code overrides} win. */
    static Map<String, String> env(String testName, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("BOXQ_ADMIN_KEY", "bq_admin_" + UUID.randomUUID().toString().replace("-", ""));
        env.put("BOXQ_REDIS_PREFIX", "test-" + testName + "-" + UUID.randomUUID().toString().substring(0, 8) + ":");
        env.put("SANDBOX_IMAGE", "boxq-sandbox:busybox");
        env.put("POOL_SIZE", "1");
        env.put("MIN_POOL_SIZE", "1");
        env.put("MAX_POOL_SIZE", "4");
        env.put("REDIS_URL", System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.put("DOCKER_HOST", System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"));
        env.put("RUNNER", "exec");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.putAll(overrides);
        return env;
    }

    /** The api and, when {@code withNode}, an executor node with its maintenance scheduler. */
    static WebhookSystem start(Map<String, String> env, boolean withNode) {
        WebhookSystem system = new WebhookSystem(env);
        try {
            if (withNode) {
                system.startNode();
            }
            system.api = new ApiServer(system.config, system.redis, Clock.systemUTC(), Optional::empty).start();
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    /** Starts an executor node (a new worker id each time) with the Quartz tasks, as {@code Main} does. */
    void startNode() {
        Map<String, String> nodeEnv = new HashMap<>(env);
        String workerId = "it-webhooks-" + UUID.randomUUID().toString().substring(0, 8);
        nodeEnv.put("WORKER_ID", workerId);
        workerIds.add(workerId);
        BoxqConfig nodeConfig = BoxqConfig.fromEnv(nodeEnv);
        node = new ExecutorNode(nodeConfig, redis, Clock.systemUTC());
        node.start();
        scheduler = new MaintenanceScheduler(nodeConfig, maintenance(node));
        scheduler.start();
    }

    /** Stops the node the way a shutdown does: its scheduler first, then the node. */
    void stopNode() {
        if (scheduler != null) {
            scheduler.close();
            scheduler = null;
        }
        if (node != null) {
            node.close();
            node = null;
        }
    }

    BoxqConfig config() {
        return config;
    }

    Redis redis() {
        return redis;
    }

    String adminKey() {
        return config.server().adminKey();
    }

    /** One HTTP answer of the api. */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    Reply get(String path, String key) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET());
    }

    Reply post(String path, String key, Object body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body))));
    }

    Reply patch(String path, String key, Object body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body))));
    }

    /** A new pro key (so a few jobs run at once), optionally with a default webhook URL. */
    String newKey(String webhookUrl) {
        return newKeyRecord(webhookUrl).get("key").asText();
    }

    /** {@link #newKey}'s whole create answer: {@code id}, {@code key} (the secret), limits, webhook_url. */
    JsonNode newKeyRecord(String webhookUrl) {
        Map<String, Object> body = new HashMap<>(Map.of("user", "u-" + UUID.randomUUID().toString().substring(0, 8),
                "tier", "pro"));
        if (webhookUrl != null) {
            body.put("webhook_url", webhookUrl);
        }
        Reply reply = post("/v1/keys", adminKey(), body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json();
    }

    /** The admin's view of the key with id {@code id} from {@code GET /v1/keys}. */
    JsonNode keyView(String id) {
        Reply reply = get("/v1/keys", adminKey());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode list = reply.json().has("keys") ? reply.json().get("keys") : reply.json();
        for (JsonNode k : list) {
            if (id.equals(k.path("id").asText())) {
                return k;
            }
        }
        throw new AssertionError("no key " + id + " in " + reply.body());
    }

    /** Submits a job and returns its id. */
    String submit(String key, Map<String, Object> job) {
        Reply reply = post("/v1/jobs", key, job);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        return reply.json().get("id").asText();
    }

    /** The job's delivery view once {@code state} is reached. */
    JsonNode awaitDelivery(String key, String jobId, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> get("/v1/jobs/" + jobId + "/deliveries", key).json(),
                d -> state.equals(d.path("state").asText()));
    }

    String webhookSecret(String key) {
        Reply reply = get("/v1/webhook-secret", key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("secret").asText();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (api != null) {
                api.close();
            }
            stopNode();
        } finally {
            removeContainers();
            TestEnvironment.deleteRedisKeys(config.redis().prefix());
            redis.close();
        }
    }

    private void removeContainers() {
        if (workerIds.isEmpty()) {
            return;
        }
        try (DockerClient docker = DockerClients.create(config.sandbox().dockerHost(), 0)) {
            for (String workerId : workerIds) {
                for (Container c : docker.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of(Labels.NODE, workerId)).exec()) {
                    try {
                        docker.removeContainerCmd(c.getId()).withForce(true).exec();
                    } catch (NotFoundException e) {
                        // gone already
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What {@code Main} hands the scheduler: each maintenance call goes to the node's method of the
     * same name (by reflection, so tasks added to {@link NodeMaintenance} need no change here).
     */
    private static NodeMaintenance maintenance(ExecutorNode node) {
        return (NodeMaintenance) Proxy.newProxyInstance(NodeMaintenance.class.getClassLoader(),
                new Class<?>[] {NodeMaintenance.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(node, args);
                    }
                    try {
                        return ExecutorNode.class.getMethod(method.getName()).invoke(node);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
