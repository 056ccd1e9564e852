package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tier's sandbox limit holds under a race: check and take are one Lua call, so 50 parallel
 * creates on a free key (2 sandboxes) give exactly 2, and the counts return to zero after deletes.
 */
class SandboxQuotaIT {
    private static final int PARALLEL = 50;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("quota", Map.of("MAX_POOL_SIZE", "8"));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void free_key_gets_exactly_two_sandboxes_under_fifty_parallel_creates() throws Exception {
        String key = server.newKey("free");

        List<Reply> replies = createAllAtOnce(key, PARALLEL);

        List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
        List<Reply> refused = replies.stream().filter(r -> r.status() != 201).toList();
        assertThat(created).as("201 answers").hasSize(2);
        assertThat(refused).as("refused answers").hasSize(PARALLEL - 2);
        for (Reply r : refused) {
            assertThat(BoxqClient.assertProblem(r, 429).path("limit").asText()).as(r.toString()).isEqualTo("tier");
        }
        List<String> ids = created.stream().map(r -> r.json().path("id").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(api.usage(key).path("sandboxes").asInt()).isEqualTo(2);
        assertThat(api.get("/v1/sandboxes", key).json().path("sandboxes").findValuesAsText("id"))
                .containsExactlyInAnyOrderElementsOf(ids);
        List<String> containers = ids.stream().map(server::containerOf).toList();
        assertThat(containers).doesNotHaveDuplicates().allMatch(BoxqTestServer::containerExists);

        for (String id : ids) {
            assertThat(api.delete("/v1/sandboxes/" + id, key).status()).isEqualTo(204);
        }

        assertThat(api.usage(key).path("sandboxes").asInt()).isZero();
        assertThat(api.usage(key).path("user_sandboxes").asInt()).isZero();
        assertThat(api.get("/v1/sandboxes", key).json().path("sandboxes")).isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(containers).noneMatch(BoxqTestServer::containerExists));
        // The places came back: the key can hold two again.
        String again = api.createSandbox(key);
        assertThat(api.usage(key).path("sandboxes").asInt()).isEqualTo(1);
        assertThat(api.delete("/v1/sandboxes/" + again, key).status()).isEqualTo(204);
    }

    /** Sends {@code n} creates released by one latch, each on its own thread. */
    private static List<Reply> createAllAtOnce(String key, int n) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                futures.add(threads.submit(() -> {
                    go.await();
                    return api.post("/v1/sandboxes", key, Map.of());
                }));
            }
            go.countDown();
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> f : futures) {
                replies.add(f.get());
            }
            return replies;
        }
    }
}
