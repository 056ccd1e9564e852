package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.redis.Redis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts read {@code .env} as the server does: scripts/lib.sh's {@code boxq_dotenv_value} gives
 * what {@link DotEnv} gives for every line, {@code boxq_dotenv_defaults} lets the environment win,
 * and setup's decisions (start a Redis or a dockerd, or use the one named) follow what .env names.
 * Runs bash on the functions only: nothing is started (the functions that would start or ping a
 * server are replaced by ones that say they were called).
 */
class DotEnvScriptTest {
    private static final Path LIB = Path.of("..", "scripts", "lib.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void the_scripts_read_every_line_as_the_server_does() throws Exception {
        Path file = write("""
                # a comment
                POOL_SIZE=4
                   PORT=9000\t
                export MIN_POOL_SIZE = 2
                SANDBOX_IMAGE="boxq-sandbox:busybox"
                BOXQ_ADMIN_KEY='has # hash'
                WORKER_ID=node-a # trailing comment
                REDIS_URL=redis://:p#w@redis.internal:6380/0
                HOST=#only a comment
                DEBUG=
                LOG_FORMAT="json
                WORKSPACE=/first
                WORKSPACE=/second
                not a line
                =novalue
                TMP_SIZE=64m""");
        Map<String, String> java = DotEnv.overlay(file, Map.of());

        for (Map.Entry<String, String> e : java.entrySet()) {
            Result r = bash(Map.of(), "boxq_dotenv_value \"$1\" \"$2\"", file.toString(), e.getKey());
            assertThat(r.exit()).as(e.getKey()).isZero();
            assertThat(r.out()).as(e.getKey()).isEqualTo(e.getValue() + "\n");
        }
        assertThat(java).containsEntry("WORKSPACE", "/second").containsEntry("REDIS_URL",
                "redis://:p#w@redis.internal:6380/0").containsEntry("HOST", "").containsEntry("TMP_SIZE", "64m");
        assertThat(bash(Map.of(), "boxq_dotenv_value \"$1\" NOT_THERE", file.toString()).exit()).isEqualTo(1);
        assertThat(bash(Map.of(), "boxq_dotenv_value \"$1\" PORT", dir.resolve("absent").toString()).exit())
                .isEqualTo(1);
    }

    @Test
    void the_environment_wins_over_env_and_what_it_lacks_is_exported_from_there() throws Exception {
        Path file = write("PORT=9000\nREDIS_URL=redis://from-file:6379\nDOCKER_HOST=tcp://from-file:2375\n"
                + "BOXQ_ADMIN_KEY=from-file\n");

        Result r = bash(Map.of("REDIS_URL", "redis://from-shell:6379", "BOXQ_ADMIN_KEY", ""),
                "boxq_dotenv_defaults \"$1\" PORT REDIS_URL DOCKER_HOST BOXQ_ADMIN_KEY; "
                        + "bash -c 'printf \"%s|%s|%s|%s|%s\\n\" \"$PORT\" \"$REDIS_URL\" \"$DOCKER_HOST\" "
                        + "\"${BOXQ_ADMIN_KEY-unset}\" \"${LOG_FORMAT-unset}\"'",
                file.toString());

        assertThat(r.out()).as("as exported to a child; set-but-empty hides .env, as for the server")
                .isEqualTo("9000|redis://from-shell:6379|tcp://from-file:2375||unset\n");
    }

    @Test
    void a_redis_url_an_earlier_setup_exported_gives_way_to_the_env_files() throws Exception {
        Path file = write("REDIS_URL=redis://from-file:6379\n");

        Result r = bash(Map.of("REDIS_URL", "redis://127.0.0.1:6390", "BOXQ_REDIS_URL_SET", "redis://127.0.0.1:6390"),
                "boxq_dotenv_defaults \"$1\" REDIS_URL; echo \"$REDIS_URL\"", file.toString());

        assertThat(r.out()).isEqualTo("redis://from-file:6379\n");
    }

    @Test
    void run_setup_uses_the_redis_env_names_and_starts_none() throws Exception {
        Path file = write("REDIS_URL=redis://redis.internal:6380\n");

        Result r = setupRedis(Map.of(), file);

        assertThat(r.out()).contains("ping redis://redis.internal:6380", "redis at redis://redis.internal:6380 (from REDIS_URL)",
                "REDIS_URL=redis://redis.internal:6380").doesNotContain("start");
    }

    @Test
    void run_setup_starts_its_redis_when_env_names_none_or_the_default_address() throws Exception {
        for (String text : List.of("PORT=8080\n", "REDIS_URL=redis://127.0.0.1:6379\n")) {
            Result r = setupRedis(Map.of(), write(text));

            assertThat(r.out()).as(text).contains("start 6379 run", "REDIS_URL=redis://127.0.0.1:6379");
        }
    }

    @Test
    void the_docker_engine_env_names_is_used_and_the_default_socket_counts_as_local() throws Exception {
        String check = "boxq_dotenv_defaults \"$1\" DOCKER_HOST; boxq_docker_host_is_local && echo local || echo \"$DOCKER_HOST\"";

        assertThat(bash(Map.of(), check, write("DOCKER_HOST=tcp://10.0.0.5:2375\n").toString()).out())
                .isEqualTo("tcp://10.0.0.5:2375\n");
        assertThat(bash(Map.of(), check, write("DOCKER_HOST=unix:///var/run/docker.sock\n").toString()).out())
                .isEqualTo("local\n");
        assertThat(bash(Map.of(), check, write("PORT=1\n").toString()).out()).isEqualTo("local\n");
        assertThat(bash(Map.of("DOCKER_HOST", "tcp://shell:2375"), check,
                write("DOCKER_HOST=unix:///var/run/docker.sock\n").toString()).out()).isEqualTo("tcp://shell:2375\n");
    }

    @Test
    void the_scripts_redact_a_redis_url_as_the_server_does() throws Exception {
        for (String url : List.of("redis://:pw@host:6379", "redis://user:p@ss/w@host:6379/1", "redis://host:6379")) {
            assertThat(bash(Map.of(), "boxq_redact_url \"$1\"", url).out()).isEqualTo(Redis.redact(url) + "\n");
        }
    }

    /** boxq_setup_redis run after .env was read, with pinging and starting replaced by reports. */
    private Result setupRedis(Map<String, String> env, Path file) throws Exception {
        return bash(env, """
                boxq_start_redis() { echo "start $*"; }
                boxq_redis_ping_url() { echo "ping $1"; }
                boxq_dotenv_defaults "$1" REDIS_URL
                boxq_setup_redis run
                echo "REDIS_URL=$REDIS_URL"
                """, file.toString());
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "env-", ".env");
        Files.writeString(file, text);
        return file;
    }

    private record Result(int exit, String out) {}

    private static Result bash(Map<String, String> env, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; source \"$0\"; " + script,
                LIB.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> base = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
        base.putAll(env);
        pb.environment().clear();
        pb.environment().putAll(base);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bash did not finish: " + script);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
