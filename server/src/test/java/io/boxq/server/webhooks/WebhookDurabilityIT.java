package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.webhook.RedisWebhookDeliveries;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries live in Redis, not in a node: one pending when its node stops is sent by the next node,
 * one that fell due while no node ran is sent when one starts, and one claimed by a node that died
 * is sent by another once that node's lease has run out.
 */
class WebhookDurabilityIT {
    private static final Map<String, String> ENV = Map.of(
            "WEBHOOK_ALLOWLIST", "127.0.0.1",
            "WEBHOOK_RETRY_SCHEDULE_SECONDS", "0,2,2,2,2,2,2,2,2,2",
            "WEBHOOK_TIMEOUT_SECONDS", "2");

    private WebhookCalls boxq;
    private Receiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (boxq != null) {
            boxq.close();
        }
    }

    @Test
    void a_delivery_survives_a_restart_of_the_node_that_scheduled_it() {
        boxq = WebhookCalls.start("webhook-restart", ENV, true);
        receiver = Receiver.answering(503);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "echo survive", "callback_url", receiver.url("/hook")));
        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.requests().isEmpty());

        boxq.stopNode();
        int sentBeforeStop = receiver.requests().size();
        receiver.answer(i -> 200);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> receiver.requests().size() == sentBeforeStop);
        boxq.startNode();

        JsonNode delivery = boxq.awaitDelivery(key, job, "delivered");
        List<Receiver.Request> requests = receiver.requests();
        assertThat(requests).hasSize(sentBeforeStop + 1);
        assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly("msg_" + job);
        String secret = boxq.webhookSecret(key);
        assertThat(requests).allSatisfy(r -> assertThat(StandardWebhooksVerifier.verifies(secret, r)).isTrue());
        assertThat(delivery.get("attempts")).hasSize(sentBeforeStop + 1);
        assertThat(delivery.get("attempts").get(sentBeforeStop).get("status_code").asInt()).isEqualTo(200);
    }

    @Test
    void a_delivery_that_fell_due_while_no_node_ran_is_sent_when_a_node_starts() {
        boxq = WebhookCalls.start("webhook-nonode", ENV, false);
        receiver = Receiver.answering(200);
        String key = boxq.newKey(null);
        String job = endedWithoutANode(key, receiver.url("/hook"));

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> receiver.requests().isEmpty());
        assertThat(boxq.get("/v1/jobs/" + job + "/deliveries", key).json().get("state").asText()).isEqualTo("pending");
        boxq.startNode();

        boxq.awaitDelivery(key, job, "delivered");
        assertThat(receiver.requests()).hasSize(1);
        assertThat(receiver.requests().get(0).text()).contains("\"id\":\"" + job + "\"", "\"stdout\":\"done\\n\"");
    }

    @Test
    void a_delivery_claimed_by_a_node_that_died_is_sent_by_another_once_the_lease_has_run_out() {
        boxq = WebhookCalls.start("webhook-lease", ENV, false);
        receiver = Receiver.answering(200);
        String key = boxq.newKey(null);
        String job = endedWithoutANode(key, receiver.url("/hook"));
        RedisWebhookDeliveries deliveries = new RedisWebhookDeliveries(boxq.redis(), Duration.ofHours(1));
        Instant leaseEnd = Instant.now().plusSeconds(4);
        assertThat(deliveries.claim(Instant.now(), leaseEnd, 10)).containsExactly(job); // then "dies"

        boxq.startNode();
        await().during(Duration.ofMillis(Math.max(0, Duration.between(Instant.now(), leaseEnd).toMillis() - 500)))
                .atMost(Duration.ofSeconds(6)).until(() -> receiver.requests().isEmpty());

        boxq.awaitDelivery(key, job, "delivered");
        assertThat(receiver.requests()).hasSize(1);
        assertThat(receiver.requests().get(0).at()).isAfterOrEqualTo(leaseEnd.minusMillis(50));
    }

    /** Submits a job and ends it the way a node does (through the store), with no node running. */
    private String endedWithoutANode(String key, String callbackUrl) {
        String id = boxq.submit(key, Map.of("command", "echo done", "callback_url", callbackUrl));
        RedisJobStore store = new RedisJobStore(boxq.redis(), Duration.ofHours(1), Clock.systemUTC());
        RedisJobStore.Start start = store.start(id, "a-node-that-died");
        assertThat(start.running()).isTrue();
        Job job = store.find(id).orElseThrow();
        CommandResult result = new CommandResult(0, "done\n".getBytes(StandardCharsets.UTF_8), new byte[0],
                false, false, false);
        assertThat(store.complete(job, null, start.token(), JobState.SUCCEEDED, result, null)).isTrue();
        return id;
    }
}
