package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sandbox keeps its files between jobs and file calls; file calls are binary-safe and confined
 * to the workspace ({@code ..}, absolute paths elsewhere and symlinks pointing out are refused).
 */
class SandboxFilesIT {
    private static final int FILE_MAX = 64 * 1024;
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("files",
            Map.of("MAX_POOL_SIZE", "8", "FILE_MAX_BYTES", Integer.toString(FILE_MAX)));
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String key;
    private static String sandbox;

    @BeforeAll
    static void startServer() {
        key = server.newKey("free");
        sandbox = api.createSandbox(key);
    }

    @Test
    void a_file_written_by_one_job_is_read_by_the_next_job_and_by_a_download() {
        JsonNode write = api.runIn(key, sandbox, "echo data > f.txt");
        assertThat(write.path("state").asText()).as(write.toString()).isEqualTo("succeeded");

        JsonNode read = api.runIn(key, sandbox, "cat f.txt");

        assertThat(read.path("state").asText()).isEqualTo("succeeded");
        assertThat(read.path("stdout").asText()).isEqualTo("data\n");
        Reply download = api.getFile(sandbox, "f.txt", key);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("data\n");
        assertThat(api.getFile(sandbox, "/workspace/f.txt", key).body()).isEqualTo("data\n");
    }

    @Test
    void an_uploaded_file_is_seen_by_a_job() {
        Reply put = api.putFile(sandbox, "in/up.txt", key, "uploaded\n".getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.json().path("path").asText()).isEqualTo("/workspace/in/up.txt");

        JsonNode job = api.runIn(key, sandbox, "cat in/up.txt && pwd");

        assertThat(job.path("stdout").asText()).isEqualTo("uploaded\n/workspace\n");
    }

    @Test
    void files_past_file_max_bytes_are_refused_with_413_both_ways_and_one_at_the_limit_passes() {
        BoxqClient.assertProblem(api.putFile(sandbox, "big.up", key, new byte[FILE_MAX + 1]), 413);
        assertThat(api.runIn(key, sandbox, "test -e big.up || echo absent").path("stdout").asText())
                .isEqualTo("absent\n");
        Reply atLimit = api.putFile(sandbox, "max.up", key, new byte[FILE_MAX]);
        assertThat(atLimit.status()).as(atLimit.toString()).isEqualTo(201);
        assertThat(api.getFile(sandbox, "max.up", key).bytes()).hasSize(FILE_MAX);

        assertThat(api.runIn(key, sandbox, "head -c " + (FILE_MAX + 1) + " /dev/zero > big.down").path("state")
                .asText()).isEqualTo("succeeded");
        BoxqClient.assertProblem(api.getFile(sandbox, "big.down", key), 413);
    }

    @Test
    void every_byte_value_round_trips_through_upload_and_download() {
        byte[] all = new byte[256 * 2];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (255 - i % 256);
        }

        assertThat(api.putFile(sandbox, "bin.dat", key, all).status()).isEqualTo(201);
        Reply back = api.getFile(sandbox, "bin.dat", key);

        assertThat(back.status()).isEqualTo(200);
        assertThat(back.contentType()).startsWith("application/octet-stream");
        assertThat(back.bytes()).isEqualTo(all);
        assertThat(api.runIn(key, sandbox, "wc -c < bin.dat").path("stdout").asText().trim()).isEqualTo("512");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "/etc/passwd", "a/../../x", "/workspace/../etc/passwd", ""})
    void paths_leaving_the_workspace_are_refused_naming_path(String path) {
        BoxqClient.assertFieldError(api.getFile(sandbox, path, key), "path");
        BoxqClient.assertFieldError(api.putFile(sandbox, path, key, "x".getBytes(StandardCharsets.UTF_8)), "path");
    }

    @Test
    void symlinks_pointing_out_of_the_workspace_are_refused() {
        JsonNode links = api.runIn(key, sandbox, "ln -s /etc link && ln -s /etc/passwd pw && ls link/passwd");
        assertThat(links.path("state").asText()).as(links.toString()).isEqualTo("succeeded");

        BoxqClient.assertFieldError(api.getFile(sandbox, "link/passwd", key), "path");
        BoxqClient.assertFieldError(api.getFile(sandbox, "pw", key), "path");
        BoxqClient.assertFieldError(api.putFile(sandbox, "link/evil", key, "x".getBytes(StandardCharsets.UTF_8)), "path");
        BoxqClient.assertFieldError(api.putFile(sandbox, "pw", key, "x".getBytes(StandardCharsets.UTF_8)), "path");
    }

    @Test
    void a_missing_file_is_a_404_problem() {
        BoxqClient.assertProblem(api.getFile(sandbox, "no/such/file.txt", key), 404);
        BoxqClient.assertProblem(api.getFile(sandbox, "nothing-here.txt", key), 404);
    }
}
