package io.boxq.server.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forks (docs/architecture.md, "Snapshots and forks"): a fork starts with its source's files and
 * then goes its own way; forks count against the key's places exactly, like creates.
 */
class ForksIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("forks", Map.of("MAX_POOL_SIZE", "6"));
    private static BoxqTestServer server;
    private static BoxqClient http;

    @Test
    void a_fork_starts_with_the_sources_files_and_then_neither_sees_the_others_changes() {
        String key = http.createKey(server.adminKey(), "fork-user", "pro").path("key").asText();
        String source = SnapshotsIT.createSandbox(http, key, Map.of("env", Map.of("WHO", "source")));
        run(key, source, SnapshotsIT.SETUP);
        String before = run(key, source, SnapshotsIT.LISTING);

        Reply forked = http.post("/v1/sandboxes/" + source + "/fork", key, Map.of("count", 2));

        assertThat(forked.status()).as(forked.body()).isEqualTo(201);
        List<String> forks = new ArrayList<>();
        forked.json().path("sandboxes").forEach(s -> forks.add(s.path("id").asText()));
        assertThat(forks).hasSize(2).doesNotContain(source);
        JsonNode first = forked.json().path("sandboxes").get(0);
        assertThat(first.path("state").asText()).isEqualTo("ready");
        assertThat(first.path("env").path("WHO").asText()).isEqualTo("source");
        for (String fork : forks) {
            assertThat(run(key, fork, SnapshotsIT.LISTING)).isEqualTo(before);
        }
        run(key, forks.get(0), "echo fork >> src/a.txt");
        run(key, source, "echo source > src/new.txt");
        assertThat(run(key, source, "cat src/a.txt; ls src")).isEqualTo("hello\na.txt\ndeep\nnew.txt\n");
        assertThat(run(key, forks.get(0), "cat src/a.txt; ls src")).isEqualTo("hello\nfork\na.txt\ndeep\n");
        assertThat(run(key, forks.get(1), "cat src/a.txt; ls src")).isEqualTo("hello\na.txt\ndeep\n");
        for (String id : List.of(source, forks.get(0), forks.get(1))) {
            assertThat(http.delete("/v1/sandboxes/" + id, key).status()).isEqualTo(204);
        }
    }

    @Test
    void twenty_parallel_forks_on_a_free_key_get_exactly_the_places_left_and_the_rest_get_problems() throws Exception {
        String key = http.createKey(server.adminKey(), "fork-free", "free").path("key").asText();
        String source = SnapshotsIT.createSandbox(http, key, Map.of());
        run(key, source, "echo x > f");
        List<Callable<Reply>> forks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            forks.add(() -> http.post("/v1/sandboxes/" + source + "/fork", key, Map.of()));
        }

        List<Reply> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            for (Future<Reply> f : pool.invokeAll(forks)) {
                replies.add(f.get());
            }
        }

        List<Reply> made = replies.stream().filter(r -> r.status() == 201).toList();
        assertThat(made).as("a free key holds 2 sandboxes: the source and one fork").hasSize(1);
        assertThat(replies.stream().filter(r -> r.status() != 201)).hasSize(19).allSatisfy(r -> {
            assertThat(r.status()).as(r.body()).isIn(429, 409);
            assertThat(r.contentType()).startsWith("application/problem+json");
        });
        assertThat(http.get("/v1/sandboxes", key).json().path("sandboxes").size()).isEqualTo(2);
        String fork = made.get(0).json().path("sandboxes").get(0).path("id").asText();
        assertThat(run(key, fork, "cat f")).isEqualTo("x\n");
        assertThat(http.post("/v1/sandboxes/" + source + "/fork", key, Map.of("count", 11)).status()).isEqualTo(400);
        http.delete("/v1/sandboxes/" + fork, key);
        http.delete("/v1/sandboxes/" + source, key);
    }

    private static String run(String key, String sandbox, String command) {
        return SnapshotsIT.run(http, key, sandbox, command).path("stdout").asText();
    }
}
