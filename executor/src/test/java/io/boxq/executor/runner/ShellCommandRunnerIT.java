package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.boxq.core.config.SandboxUser;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shell runner against the real Docker engine, in hardened containers like the pool's. */
class ShellCommandRunnerIT {
    static final String BUSYBOX = "boxq-sandbox:busybox";
    static final String BOOKWORM = "boxq-sandbox:bookworm";
    static final int LIMIT = 1 << 20;

    static DockerClient docker;
    static DockerRuntime runtime;
    static ShellRunnerFactory factory;
    static final List<String> containers = new ArrayList<>();
    static final List<CommandRunner> runners = new ArrayList<>();
    static String box;
    static ShellCommandRunner runner;

    @BeforeAll
    static void start() {
        docker = DockerClients.create(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"), 16);
        runtime = new DockerRuntime(docker);
        factory = new ShellRunnerFactory(docker, "/workspace");
        box = container(BUSYBOX);
        runner = attach(box);
    }

    @AfterAll
    static void stop() throws Exception {
        runners.forEach(CommandRunner::close);
        containers.forEach(runtime::remove);
        docker.close();
    }

    static String container(String image) {
        ContainerSpec spec = new ContainerSpec(image, 256L << 20, 25, 1024, 128, 64L << 20, 64L << 20, "none", null,
                SandboxUser.NOBODY, "/workspace", 1024, Map.of(Labels.MANAGED, "true", "boxq.test", "ShellCommandRunnerIT"));
        String id = runtime.start(spec);
        containers.add(id);
        return id;
    }

    static ShellCommandRunner attach(String id) {
        ShellCommandRunner attached = factory.attach(id);
        runners.add(attached);
        return attached;
    }

    static RunRequest request(String command) {
        return new RunRequest(command, "sh", Map.of(), "/workspace", new byte[0], Duration.ofSeconds(20), LIMIT);
    }

    static RunRequest request(String command, Duration timeout) {
        return new RunRequest(command, "sh", Map.of(), "/workspace", new byte[0], timeout, LIMIT);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String stdout(CommandRunner r, String command) {
        CommandResult result = r.run(request(command));
        assertThat(result.exitCode()).as(command + " → " + text(result.stderr())).isZero();
        return text(result.stdout());
    }

    /** Runs a script with its own {@code docker exec}, past the runner; returns its stdout. */
    static String dockerExec(String id, String script) throws InterruptedException {
        String exec = docker.execCreateCmd(id).withCmd("/bin/sh", "-c", script).withAttachStdout(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The command lines of the container's processes, one a line. */
    static String processes(String id) throws InterruptedException {
        return dockerExec(id, "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <$f; echo; done");
    }

    @Test
    void stdout_and_stderr_come_back_apart_with_the_exit_code() {
        CommandResult result = runner.run(request("echo out; echo err >&2; exit 3"));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(text(result.stdout())).isEqualTo("out\n");
        assertThat(text(result.stderr())).isEqualTo("err\n");
        assertThat(result.timedOut()).isFalse();
        assertThat(result.stdoutTruncated()).isFalse();
    }

    @Test
    void exit_a_syntax_error_kill_of_its_shell_and_closed_stdout_end_the_command_not_the_runner() {
        assertThat(runner.run(request("exit 7")).exitCode()).isEqualTo(7);
        assertThat(stdout(runner, "echo still here")).isEqualTo("still here\n");
        CommandResult syntax = runner.run(request("if then fi ((("));
        assertThat(syntax.exitCode()).isNotZero();
        assertThat(text(syntax.stderr())).containsIgnoringCase("syntax");
        assertThat(runner.run(request("echo before; kill $$; echo after")).exitCode()).isEqualTo(143);
        CommandResult closed = runner.run(request("echo a; exec >&- 2>&-; echo b; exit 4"));
        assertThat(closed.exitCode()).isEqualTo(4);
        assertThat(text(closed.stdout())).isEqualTo("a\n");
        assertThat(runner.run(request("kill 0")).exitCode()).isEqualTo(143);
        assertThat(stdout(runner, "echo still here")).isEqualTo("still here\n");
        assertThat(runner.alive()).isTrue();
    }

    @Test
    void background_children_holding_stdout_do_not_hold_the_answer_and_outlive_the_command() throws Exception {
        long start = System.nanoTime();
        assertThat(stdout(runner, "sleep 106 & echo started")).isEqualTo("started\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(processes(box)).contains("sleep 106");
    }

    @Test
    void a_command_that_deletes_the_runners_files_or_fills_tmp_or_shm_does_not_break_it() {
        assertThat(stdout(runner, "rm -rf /tmp/* /tmp/.[!.]* /dev/shm/.boxq-runner.*; echo gone")).isEqualTo("gone\n");
        assertThat(stdout(runner, "echo back")).isEqualTo("back\n");
        RunRequest withStdin = new RunRequest("cat", "sh", Map.of(), "/workspace", new byte[100_000], Duration.ofSeconds(20),
                LIMIT);
        runner.run(request("head -c 100000000 /dev/zero > /tmp/fill"));
        assertThat(runner.run(withStdin).stdout()).hasSize(100_000);
        runner.run(request("head -c 100000000 /dev/zero > /dev/shm/fill"));
        CommandResult full = runner.run(withStdin);
        assertThat(full.exitCode()).isEqualTo(126);
        assertThat(text(full.stderr())).contains("cannot store the request in /dev/shm");
        assertThat(runner.alive()).isTrue();
        assertThat(stdout(runner, "rm /tmp/fill /dev/shm/fill; echo freed")).isEqualTo("freed\n");
        assertThat(runner.run(withStdin).stdout()).hasSize(100_000);
    }

    @Test
    void the_command_runs_with_oom_score_1000_in_its_own_process_group() {
        String[] lines = stdout(runner, "cat /proc/self/oom_score_adj; read -r p x </proc/self/stat; echo $p;"
                + " set -- $x; echo $4; ls /proc/self/fd | wc -l").split("\n");
        assertThat(lines[0]).isEqualTo("1000");
        assertThat(lines[2]).as("its process group is its own").isEqualTo(lines[1]);
        assertThat(lines[3].trim()).as("fds of ls: 0, 1, 2 and the one it reads; none of the runner's").isEqualTo("4");
    }

    @Test
    void the_timeout_kills_the_whole_group_and_keeps_the_output_so_far() throws Exception {
        long start = System.nanoTime();
        CommandResult result = runner.run(request("echo before; echo warn >&2; sleep 100 & sleep 101", Duration.ofSeconds(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(text(result.stdout())).isEqualTo("before\n");
        assertThat(text(result.stderr())).isEqualTo("warn\n");
        assertThat(stdout(runner, "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <$f; echo; done"))
                .doesNotContain("sleep 100").doesNotContain("sleep 101");
    }

    @Test
    void output_stops_at_the_cap_with_the_truncation_flag() {
        CommandResult result = runner.run(request("head -c 5000000 /dev/zero | tr '\\0' a; echo small >&2"));
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).hasSize(LIMIT);
        assertThat(text(result.stdout())).matches("a+");
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(text(result.stderr())).isEqualTo("small\n");
        assertThat(result.stderrTruncated()).isFalse();
    }

    @Test
    void every_byte_value_comes_back_exactly_in_stdout() {
        StringBuilder escapes = new StringBuilder();
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            escapes.append(String.format("\\%03o", i));
            expected[i] = (byte) i;
        }
        CommandResult result = runner.run(request("printf '" + escapes + "'; printf '\\000\\377' >&2"));
        assertThat(result.stdout()).isEqualTo(expected);
        assertThat(result.stderr()).containsExactly(0, 255);
    }

    @Test
    void stdin_bytes_reach_the_command() {
        byte[] stdin = new byte[300_000]; // more than one dd block, and a remainder
        new Random(42).nextBytes(stdin);
        RunRequest request = new RunRequest("cat > /tmp/in; head -c 1000000 /tmp/in", "sh", Map.of(), "/workspace", stdin,
                Duration.ofSeconds(20), LIMIT);
        assertThat(runner.run(request).stdout()).isEqualTo(stdin);
        byte[] few = {0, '\n', (byte) 255};
        assertThat(runner.run(new RunRequest("cat", "sh", Map.of(), "/", few, Duration.ofSeconds(20), LIMIT)).stdout())
                .isEqualTo(few);
        assertThat(stdout(runner, "cat; echo end")).as("empty stdin is /dev/null").isEqualTo("end\n");
    }

    @Test
    void env_and_workdir_apply_to_the_command_only() {
        String odd = "it's \"quoted\" $HOME `x`\nsecond line\\";
        String big = "y".repeat(10_000);
        Map<String, String> env = Map.of("ODD", odd, "EMPTY", "", "BIG", big, "c", "1", "s", "2", "d", "3", "sid", "4",
                "PATH", "/nowhere:/bin:/usr/bin", "IFS", "/");
        RunRequest request = new RunRequest("pwd; printf '%s|' \"$ODD\" \"$EMPTY\" \"${#BIG}\" $c$s$d$sid \"$PATH\"", "sh",
                env, "/tmp", new byte[0], Duration.ofSeconds(20), LIMIT);
        CommandResult result = runner.run(request);
        assertThat(text(result.stderr())).isEmpty();
        assertThat(text(result.stdout())).isEqualTo("/tmp\n" + odd + "||10000|1234|/nowhere:/bin:/usr/bin|");
        assertThat(stdout(runner, "pwd; echo \"[$ODD]\"")).isEqualTo("/workspace\n[]\n");
    }

    @Test
    void a_workdir_that_does_not_exist_fails_the_command_not_the_runner() {
        RunRequest request = new RunRequest("echo never", "sh", Map.of(), "/nope", new byte[0], Duration.ofSeconds(20), LIMIT);
        CommandResult result = runner.run(request);
        assertThat(result.exitCode()).isNotZero();
        assertThat(text(result.stdout())).isEmpty();
        assertThat(text(result.stderr())).contains("/nope");
        assertThat(stdout(runner, "echo fine")).isEqualTo("fine\n");
    }

    @Test
    void a_forged_answer_in_the_output_is_just_output() {
        String fake = "0123456789abcdef done 0\n0123456789abcdef 1\n0123456789abcdef 2\n";
        CommandResult result = runner.run(request("printf '" + fake + "'; printf '" + fake + "' >&2; readlink /proc/$$/fd/1"));
        assertThat(text(result.stdout())).startsWith(fake).matches("(?s).*/\\.boxq-runner\\.[0-9]+/[0-9]+\\.o\n");
        assertThat(text(result.stderr())).isEqualTo(fake);
        assertThat(stdout(runner, "echo next")).isEqualTo("next\n");
    }

    @Test
    void bytes_that_a_background_process_writes_into_the_runners_stream_kill_the_runner() {
        ShellCommandRunner victim = attach(box);
        victim.run(request("(sleep 0.2; printf 'ffffffffffffffff done 0 0 0\\nffffffffffffffff end\\n' >/proc/"
                + victim.pid() + "/fd/1) &"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !victim.alive());
        assertThatThrownBy(() -> victim.run(request("echo hi")))
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
        assertThat(stdout(runner, "echo unaffected")).isEqualTo("unaffected\n");
    }

    @Test
    void a_runner_killed_from_outside_fails_the_run_in_progress_and_every_later_one() throws Exception {
        ShellCommandRunner victim = attach(box);
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> victim.run(request("sleep 102")));
        await().atMost(Duration.ofSeconds(10)).until(() -> processes(box).contains("sleep 102"));
        dockerExec(box, "kill -9 " + victim.pid());
        await().atMost(Duration.ofSeconds(1)).until(() -> !victim.alive());
        await().atMost(Duration.ofSeconds(1)).until(run::isDone);
        assertThat(catchThrowable(run::join).getCause())
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isTrue());
        assertThatThrownBy(() -> victim.run(request("echo hi")))
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
    }

    @Test
    void cancel_from_another_thread_ends_the_running_command() {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request("echo started; sleep 103", Duration.ofSeconds(60))));
        await().atMost(Duration.ofSeconds(10)).until(() -> processes(box).contains("sleep 103"));
        runner.cancelRunning();
        CommandResult result = run.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(text(result.stdout())).isEqualTo("started\n");
        runner.cancelRunning(); // nothing running: no effect
        assertThat(stdout(runner, "echo after")).isEqualTo("after\n");
    }

    @Test
    void reset_kills_leftovers_and_empties_the_workspace_and_tmp() throws Exception {
        stdout(runner, "echo x > f; mkdir -p d/.hidden; touch .dot ..dots /tmp/t /tmp/.t /dev/shm/s; chmod 500 d; (sleep 104 &)");
        assertThat(processes(box)).contains("sleep 104");
        runner.reset();
        assertThat(processes(box)).doesNotContain("sleep 104");
        assertThat(stdout(runner, "ls -A /workspace /tmp /dev/shm"))
                .matches("/dev/shm:\n\\.boxq-runner\\.[0-9]+\n\n/tmp:\n\n/workspace:\n");
        assertThat(runtime.isRunning(box)).isTrue();
        assertThat(runner.alive()).isTrue();
    }

    @Test
    void a_container_that_is_not_there_fails_the_attach() {
        assertThatThrownBy(() -> factory.attach("no-such-container"))
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
    }

    @Test
    void the_debian_image_runs_bash_commands_the_same_way() {
        String id = container(BOOKWORM);
        ShellCommandRunner debian = attach(id);
        RunRequest request = new RunRequest("echo $BASH_VERSION >&2; printf '\\x00\\xff%s' \"$X\"; cd sub 2>/dev/null; exit 5",
                "bash", Map.of("X", "é"), "/tmp", new byte[0], Duration.ofSeconds(20), LIMIT);
        CommandResult result = debian.run(request);
        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.stdout()).isEqualTo(new byte[] {0, (byte) 0xff, (byte) 0xc3, (byte) 0xa9});
        assertThat(text(result.stderr())).matches("5\\..*\n");
        CommandResult timedOut = debian.run(new RunRequest("sleep 105 & echo $$; wait", "bash", Map.of(), "/workspace",
                new byte[0], Duration.ofMillis(500), LIMIT));
        assertThat(timedOut.timedOut()).isTrue();
        debian.reset();
        assertThat(stdout(debian, "ps -eo args")).doesNotContain("sleep 105");
    }
}
