package io.boxq.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /mcp} driven over real HTTP as an MCP client drives it, against real Redis and real
 * containers: the tools act as the calling key, through the same paths as {@code /v1}.
 */
class McpIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("mcp", Map.of());
    private static BoxqTestServer server;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void startServer() {
        alice = server.client.createKey(server.adminKey(), "alice", "free").path("key").asText();
        bob = server.client.createKey(server.adminKey(), "bob", "free").path("key").asText();
    }

    private static McpClient client(String key) {
        return new McpClient(server.client.base(), key);
    }

    @Test
    void an_agent_initializes_lists_the_tools_and_works_in_a_sandbox() {
        McpClient mcp = client(alice);
        JsonNode init = mcp.initialize();
        assertThat(init.path("protocolVersion").asText()).isEqualTo("2025-06-18");
        assertThat(init.path("capabilities").has("tools")).isTrue();
        assertThat(mcp.sessionId()).startsWith("mcp_");

        JsonNode tools = mcp.request("tools/list", Map.of()).path("result").path("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> {
            names.add(t.path("name").asText());
            assertThat(t.path("description").asText()).isNotBlank();
            assertThat(t.path("inputSchema").path("type").asText()).isEqualTo("object");
            assertThat(t.path("inputSchema").path("properties").size()).isPositive();
        });
        assertThat(names).containsExactlyInAnyOrder("run_command", "get_job", "create_sandbox", "destroy_sandbox",
                "read_file", "write_file", "pause_sandbox", "resume_sandbox", "snapshot_sandbox", "fork_sandbox");

        JsonNode sandbox = mcp.ok("create_sandbox", Map.of("ttl_s", 600));
        String sandboxId = sandbox.path("id").asText();
        assertThat(sandbox.path("state").asText()).isEqualTo("ready");
        try {
            JsonNode written = mcp.ok("write_file", Map.of("sandbox_id", sandboxId, "path", "notes/hello.txt",
                    "content", "hello from mcp\n"));
            assertThat(written.path("path").asText()).isEqualTo("/workspace/notes/hello.txt");
            assertThat(written.path("size").asInt()).isEqualTo(15);

            JsonNode run = mcp.ok("run_command", Map.of("command", "cat notes/hello.txt; echo oops >&2; exit 3",
                    "sandbox_id", sandboxId));
            assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("failed");
            assertThat(run.path("exit_code").asInt()).isEqualTo(3);
            assertThat(run.path("stdout").asText()).isEqualTo("hello from mcp\n");
            assertThat(run.path("stderr").asText()).isEqualTo("oops\n");

            JsonNode made = mcp.ok("run_command", Map.of("command", "printf 'made by a job' > out.txt; "
                    + "printf '\\377\\376' > bin.dat", "sandbox_id", sandboxId));
            assertThat(made.path("state").asText()).as(made.toString()).isEqualTo("succeeded");
            JsonNode read = mcp.ok("read_file", Map.of("sandbox_id", sandboxId, "path", "/workspace/out.txt"));
            assertThat(read.path("encoding").asText()).isEqualTo("utf8");
            assertThat(read.path("content").asText()).isEqualTo("made by a job");
            JsonNode binary = mcp.ok("read_file", Map.of("sandbox_id", sandboxId, "path", "bin.dat"));
            assertThat(binary.path("encoding").asText()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(binary.path("content").asText()))
                    .isEqualTo(new byte[] {(byte) 0xff, (byte) 0xfe});

            mcp.ok("write_file", Map.of("sandbox_id", sandboxId, "path", "b64.dat", "encoding", "base64",
                    "content", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 0xff})));
            assertThat(mcp.ok("run_command", Map.of("command", "wc -c < b64.dat", "sandbox_id", sandboxId))
                    .path("stdout").asText().trim()).isEqualTo("4");

            JsonNode forked = mcp.ok("fork_sandbox", Map.of("sandbox_id", sandboxId));
            String fork = forked.path("sandboxes").get(0).path("id").asText();
            assertThat(mcp.ok("read_file", Map.of("sandbox_id", fork, "path", "out.txt")).path("content").asText())
                    .isEqualTo("made by a job");
            mcp.ok("destroy_sandbox", Map.of("sandbox_id", fork));
            JsonNode snapshot = mcp.ok("snapshot_sandbox", Map.of("sandbox_id", sandboxId));
            assertThat(snapshot.path("size_bytes").asLong()).isPositive();
            String restored = mcp.ok("create_sandbox", Map.of("snapshot_id", snapshot.path("id").asText()))
                    .path("id").asText();
            assertThat(mcp.ok("read_file", Map.of("sandbox_id", restored, "path", "out.txt")).path("content").asText())
                    .isEqualTo("made by a job");
            mcp.ok("destroy_sandbox", Map.of("sandbox_id", restored));
            assertThat(server.client.delete("/v1/snapshots/" + snapshot.path("id").asText(), alice).status())
                    .isEqualTo(204);

            JsonNode missing = mcp.call("read_file", Map.of("sandbox_id", sandboxId, "path", "nope.txt"));
            assertThat(missing.path("isError").asBoolean()).isTrue();
            assertThat(missing.path("content").get(0).path("text").asText()).contains("does not exist");
            JsonNode escape = mcp.call("write_file", Map.of("sandbox_id", sandboxId, "path", "../etc/x",
                    "content", "x"));
            assertThat(escape.path("isError").asBoolean()).isTrue();
            assertThat(escape.path("content").get(0).path("text").asText()).contains("..");
        } finally {
            JsonNode destroyed = mcp.ok("destroy_sandbox", Map.of("sandbox_id", sandboxId));
            assertThat(destroyed.path("destroyed").asBoolean()).isTrue();
        }
        JsonNode afterDestroy = server.client.get("/v1/sandboxes/" + sandboxId, alice).json();
        assertThat(afterDestroy.path("state").asText()).isEqualTo("deleted");
        for (JsonNode ended : List.of(
                mcp.call("run_command", Map.of("command", "true", "sandbox_id", sandboxId)),
                mcp.call("read_file", Map.of("sandbox_id", sandboxId, "path", "bin.dat")),
                mcp.call("destroy_sandbox", Map.of("sandbox_id", sandboxId)))) {
            assertThat(ended.path("isError").asBoolean()).isTrue();
            assertThat(ended.path("content").get(0).path("text").asText())
                    .contains("has ended (deleted").contains("deleted by its owner");
        }

        assertThat(mcp.delete().statusCode()).isEqualTo(204);
        HttpResponse<String> after = mcp.post(mcp.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH);
        assertThat(after.statusCode()).isEqualTo(404);
        assertThat(McpClient.json(after.body()).path("error").path("code").asInt()).isEqualTo(-32600);
    }

    @Test
    void a_command_that_outlasts_wait_s_gives_its_id_and_get_job_waits_for_the_end() {
        McpClient mcp = client(alice);
        mcp.initialize();

        JsonNode started = mcp.ok("run_command", Map.of("command", "sleep 2; echo late", "wait_s", 0));
        assertThat(started.path("state").asText()).isIn("queued", "running");
        assertThat(started.path("hint").asText()).contains("get_job");

        JsonNode done = mcp.ok("get_job", Map.of("job_id", started.path("id").asText(), "wait_s", 30));
        assertThat(done.path("state").asText()).isEqualTo("succeeded");
        assertThat(done.path("stdout").asText()).isEqualTo("late\n");
        JsonNode sameAsRest = server.client.get("/v1/jobs/" + started.path("id").asText(), alice).json();
        assertThat(sameAsRest.path("stdout").asText()).isEqualTo("late\n");
    }

    @Test
    void a_client_that_accepts_only_server_sent_events_gets_one_event() {
        McpClient mcp = client(alice);
        mcp.initialize();

        HttpResponse<String> r = mcp.post(mcp.requestBody("tools/call", Map.of("name", "run_command",
                "arguments", Map.of("command", "echo streamed"))), "text/event-stream");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(r.body()).startsWith("event: message\ndata: {").endsWith("\n\n");
        JsonNode response = McpClient.json(r.body().substring(r.body().indexOf("data: ") + 6).trim());
        assertThat(response.path("result").path("structuredContent").path("stdout").asText()).isEqualTo("streamed\n");
    }

    @Test
    void without_a_valid_key_mcp_is_401_problem_json() {
        McpClient anonymous = client(null);
        HttpResponse<String> none = anonymous.post(anonymous.requestBody("initialize",
                Map.of("protocolVersion", "2025-06-18")), McpClient.ACCEPT_BOTH);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        McpClient wrong = client("bq_not_a_key");
        assertThat(wrong.post(wrong.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH).statusCode()).isEqualTo(401);
        assertThat(wrong.delete().statusCode()).isEqualTo(401);
    }

    @Test
    void every_post_counts_in_the_keys_rate_window() {
        String carol = server.client.post("/v1/keys", server.adminKey(), Map.of("user", "carol", "tier", "free",
                "requests_per_minute", 3)).json().path("key").asText();
        McpClient mcp = client(carol);
        mcp.initialize(); // initialize and notifications/initialized: two requests

        HttpResponse<String> third = mcp.post(mcp.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH);
        HttpResponse<String> fourth = mcp.post(mcp.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH);

        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(fourth.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void another_key_cannot_use_the_first_keys_sandbox_job_or_session() {
        McpClient a = client(alice);
        a.initialize();
        String sandboxId = a.ok("create_sandbox", Map.of()).path("id").asText();
        try {
            a.ok("write_file", Map.of("sandbox_id", sandboxId, "path", "secret.txt", "content", "alice's"));
            String jobId = a.ok("run_command", Map.of("command", "echo mine", "sandbox_id", sandboxId))
                    .path("id").asText();

            McpClient b = client(bob);
            b.initialize();
            for (JsonNode refused : List.of(
                    b.call("run_command", Map.of("command", "cat secret.txt", "sandbox_id", sandboxId)),
                    b.call("read_file", Map.of("sandbox_id", sandboxId, "path", "secret.txt")),
                    b.call("write_file", Map.of("sandbox_id", sandboxId, "path", "secret.txt", "content", "bob's")),
                    b.call("destroy_sandbox", Map.of("sandbox_id", sandboxId)),
                    b.call("get_job", Map.of("job_id", jobId, "wait_s", 0)))) {
                assertThat(refused.path("isError").asBoolean()).as(refused.toString()).isTrue();
                assertThat(refused.path("content").get(0).path("text").asText()).contains("does not exist");
            }

            McpClient bobInAlicesSession = client(bob);
            bobInAlicesSession.useSession(a.sessionId());
            HttpResponse<String> hijack = bobInAlicesSession.post(bobInAlicesSession.requestBody("tools/list",
                    Map.of()), McpClient.ACCEPT_BOTH);
            assertThat(hijack.statusCode()).isEqualTo(404);
            assertThat(bobInAlicesSession.delete().statusCode()).isEqualTo(404);

            JsonNode stillAlices = a.ok("read_file", Map.of("sandbox_id", sandboxId, "path", "secret.txt"));
            assertThat(stillAlices.path("content").asText()).isEqualTo("alice's");
        } finally {
            a.ok("destroy_sandbox", Map.of("sandbox_id", sandboxId));
        }
    }

    @Test
    void malformed_messages_are_json_rpc_errors_never_5xx() {
        McpClient mcp = client(alice);
        mcp.initialize();

        HttpResponse<String> garbage = mcp.post("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ", McpClient.ACCEPT_BOTH);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(McpClient.json(garbage.body()).path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(McpClient.json(garbage.body()).path("jsonrpc").asText()).isEqualTo("2.0");

        for (String invalid : List.of("[]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "\"ping\"",
                "{\"id\":1,\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":\"run\"}")) {
            HttpResponse<String> r = mcp.post(invalid, McpClient.ACCEPT_BOTH);
            assertThat(r.statusCode()).as(invalid).isEqualTo(400);
            assertThat(McpClient.json(r.body()).path("error").path("code").asInt()).as(invalid).isEqualTo(-32600);
        }

        assertThat(mcp.request("resources/list", Map.of()).path("error").path("code").asInt()).isEqualTo(-32601);
        assertThat(mcp.request("tools/call", Map.of("name", "rm_rf")).path("error").path("code").asInt())
                .isEqualTo(-32602);
        JsonNode badArgs = mcp.call("run_command", Map.of("command", 42, "wait_s", 999, "extra", true));
        assertThat(badArgs.path("isError").asBoolean()).isTrue();
        assertThat(badArgs.path("content").get(0).path("text").asText())
                .contains("command must be a string", "wait_s", "extra is not an argument");
        JsonNode badImage = mcp.call("run_command", Map.of("command", "true", "image", "alpine:latest"));
        assertThat(badImage.path("isError").asBoolean()).isTrue();
        assertThat(badImage.path("content").get(0).path("text").asText()).contains("image");
        JsonNode badJob = mcp.call("get_job", Map.of("job_id", "job_../../x"));
        assertThat(badJob.path("isError").asBoolean()).isTrue();

        McpClient noSession = client(alice);
        HttpResponse<String> sessionless = noSession.post(noSession.requestBody("tools/list", Map.of()),
                McpClient.ACCEPT_BOTH);
        assertThat(sessionless.statusCode()).isEqualTo(400);
        assertThat(McpClient.json(sessionless.body()).path("error").path("code").asInt()).isEqualTo(-32600);

        HttpResponse<String> unknownVersion = mcp.post(mcp.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH,
                Map.of("MCP-Protocol-Version", "1999-01-01"));
        assertThat(unknownVersion.statusCode()).isEqualTo(400);
        assertThat(McpClient.json(unknownVersion.body()).path("error").path("message").asText())
                .contains("2025-06-18");
        assertThat(mcp.post(mcp.requestBody("ping", Map.of()), McpClient.ACCEPT_BOTH,
                Map.of("MCP-Protocol-Version", "2025-06-18")).statusCode()).isEqualTo(200);
        assertThat(mcp.get().statusCode()).isEqualTo(405);
        assertThat(mcp.post(mcp.requestBody("ping", Map.of()), "text/html").statusCode()).isEqualTo(406);
        assertThat(mcp.request("ping", Map.of()).path("result").isEmpty()).as("the session still works").isTrue();
    }
}
