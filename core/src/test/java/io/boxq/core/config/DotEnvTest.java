package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotEnvTest {
    @TempDir
    Path dir;

    @Test
    void reads_values_comments_exports_and_quotes() throws IOException {
        Path file = write("""
                # a comment
                POOL_SIZE=4

                export MIN_POOL_SIZE = 2
                SANDBOX_IMAGE="boxq-sandbox:busybox"
                BOXQ_ADMIN_KEY='has # hash'
                WORKER_ID=node-a # trailing comment
                not a line
                =novalue
                """);

        assertThat(DotEnv.overlay(file, Map.of())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "POOL_SIZE", "4",
                "MIN_POOL_SIZE", "2",
                "SANDBOX_IMAGE", "boxq-sandbox:busybox",
                "BOXQ_ADMIN_KEY", "has # hash",
                "WORKER_ID", "node-a"));
    }

    @Test
    void real_environment_wins_over_the_file() throws IOException {
        Path file = write("POOL_SIZE=4\nMAX_POOL_SIZE=9\n");

        Map<String, String> merged = DotEnv.overlay(file, Map.of("POOL_SIZE", "7", "PORT", "9000"));

        assertThat(merged).containsEntry("POOL_SIZE", "7").containsEntry("MAX_POOL_SIZE", "9")
                .containsEntry("PORT", "9000");
    }

    @Test
    void a_missing_file_gives_the_real_environment() {
        assertThat(DotEnv.overlay(dir.resolve("absent.env"), Map.of("PORT", "1"))).isEqualTo(Map.of("PORT", "1"));
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, text);
        return file;
    }
}
