package io.boxq.executor.agent;

import static io.boxq.executor.agent.AgentBoxes.BOOKWORM;
import static io.boxq.executor.agent.AgentBoxes.BUSYBOX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent against the real Docker engine, in hardened containers like the pool's, in both boxq
 * images: every promise the runner keeps (exit codes, caps, binary output, stdin, env, workdir,
 * timeouts that kill the whole group, cancel, reset, files, stats) and what happens when a command
 * turns on the agent.
 */
class AgentCommandRunnerIT {
    static final int LIMIT = 1 << 20;
    static AgentBoxes boxes;
    static Map<String, AgentCommandRunner> runners;

    @BeforeAll
    static void start() {
        boxes = new AgentBoxes("AgentCommandRunnerIT");
        runners = boxes.startEach(BUSYBOX, BOOKWORM);
    }

    @AfterAll
    static void stop() throws Exception {
        boxes.close();
    }

    static AgentCommandRunner runner(String image) {
        AgentCommandRunner r = runners.get(image);
        if (!r.alive()) { // a test that broke it on purpose must not take the others down
            r = boxes.track((AgentCommandRunner) boxes.factory.reattach(r.containerId()));
            runners.put(image, r);
        }
        return r;
    }

    static String shell(String image) {
        return image.equals(BOOKWORM) ? "bash" : "sh";
    }

    static RunRequest request(String image, String command) {
        return request(image, command, Duration.ofSeconds(20));
    }

    static RunRequest request(String image, String command, Duration timeout) {
        return new RunRequest(command, shell(image), Map.of(), "/workspace", new byte[0], timeout, LIMIT);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String stdout(String image, String command) {
        CommandResult result = runner(image).run(request(image, command));
        assertThat(result.exitCode()).as(command + " → " + text(result.stderr())).isZero();
        return text(result.stdout());
    }

    /** Runs a script with its own {@code docker exec}, past the agent; returns its stdout. */
    static String dockerExec(String id, String script) throws InterruptedException {
        String exec = boxes.docker.execCreateCmd(id).withCmd("/bin/sh", "-c", script).withAttachStdout(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boxes.docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The command lines of the container's processes, one a line. */
    static String processes(String image) throws InterruptedException {
        return dockerExec(runner(image).containerId(), "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <$f; echo; done");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void stdout_and_stderr_come_back_apart_with_the_exit_code(String image) {
        CommandResult result = runner(image).run(request(image, "echo out; echo err >&2; exit 3"));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(text(result.stdout())).isEqualTo("out\n");
        assertThat(text(result.stderr())).isEqualTo("err\n");
        assertThat(result.timedOut()).isFalse();
        assertThat(result.stdoutTruncated()).isFalse();
        assertThat(result.cpuMicros()).as("the container's cgroup CPU time").isNotNull().isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void exit_a_syntax_error_kill_of_its_shell_and_closed_stdout_end_the_command_not_the_agent(String image) {
        AgentCommandRunner runner = runner(image);
        assertThat(runner.run(request(image, "exit 7")).exitCode()).isEqualTo(7);
        assertThat(stdout(image, "echo still here")).isEqualTo("still here\n");
        CommandResult syntax = runner.run(request(image, "if then fi ((("));
        assertThat(syntax.exitCode()).isNotZero();
        assertThat(text(syntax.stderr())).containsIgnoringCase("syntax");
        assertThat(runner.run(request(image, "echo before; kill $$; echo after")).exitCode()).isEqualTo(143);
        CommandResult closed = runner.run(request(image, "echo a; exec >&- 2>&-; echo b; exit 4"));
        assertThat(closed.exitCode()).isEqualTo(4);
        assertThat(text(closed.stdout())).isEqualTo("a\n");
        assertThat(runner.run(request(image, "kill 0")).exitCode()).isEqualTo(143);
        assertThat(stdout(image, "echo still here")).isEqualTo("still here\n");
        assertThat(runner.alive()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void background_children_holding_stdout_do_not_hold_the_answer_and_outlive_the_command(String image) throws Exception {
        long start = System.nanoTime();
        assertThat(stdout(image, "sleep 106 & echo started")).isEqualTo("started\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(processes(image)).contains("sleep 106");
        assertThat(stdout(image, "echo next")).as("its later output is not the next job's").isEqualTo("next\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void a_command_that_fills_tmp_or_shm_does_not_break_the_agent(String image) {
        RunRequest withStdin = new RunRequest("cat", shell(image), Map.of(), "/workspace", new byte[100_000],
                Duration.ofSeconds(20), LIMIT);
        runner(image).run(request(image, "head -c 100000000 /dev/zero > /tmp/fill; head -c 100000000 /dev/zero > /dev/shm/fill"));
        assertThat(runner(image).run(withStdin).stdout()).hasSize(100_000);
        assertThat(stdout(image, "rm -f /tmp/fill /dev/shm/fill; echo freed")).isEqualTo("freed\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void the_command_is_one_process_with_oom_score_1000_in_its_own_session(String image) {
        String[] lines = stdout(image, "cat /proc/self/oom_score_adj; read -r p x </proc/self/stat; echo $p;"
                + " set -- $x; echo $4 $5; echo $PPID; ls /proc/self/fd | wc -l").split("\n");
        assertThat(lines[0]).isEqualTo("1000");
        assertThat(lines[2]).as("its process group and session are its own").isEqualTo(lines[1] + " " + lines[1]);
        assertThat(lines[3]).as("the shell's parent is the agent").isEqualTo(String.valueOf(runner(image).agentPid()));
        assertThat(lines[4].trim()).as("fds of ls: 0, 1, 2 and the one it reads; none of the agent's").isEqualTo("4");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void the_timeout_kills_the_whole_group_and_keeps_the_output_so_far(String image) throws Exception {
        long start = System.nanoTime();
        CommandResult result = runner(image).run(request(image, "echo before; echo warn >&2; sleep 100 & sleep 101",
                Duration.ofSeconds(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(text(result.stdout())).isEqualTo("before\n");
        assertThat(text(result.stderr())).isEqualTo("warn\n");
        assertThat(processes(image)).doesNotContain("sleep 100").doesNotContain("sleep 101");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void output_stops_at_the_cap_with_the_truncation_flag(String image) {
        CommandResult result = runner(image).run(request(image, "head -c 5000000 /dev/zero | tr '\\0' a; echo small >&2"));
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).hasSize(LIMIT);
        assertThat(text(result.stdout())).matches("a+");
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(text(result.stderr())).isEqualTo("small\n");
        assertThat(result.stderrTruncated()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void every_byte_value_comes_back_exactly_and_frames_in_the_output_are_just_output(String image) {
        StringBuilder escapes = new StringBuilder();
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            escapes.append(String.format("\\%03o", i));
            expected[i] = (byte) i;
        }
        CommandResult result = runner(image).run(request(image, "printf '" + escapes + "'; printf '\\000\\377' >&2"));
        assertThat(result.stdout()).isEqualTo(expected);
        assertThat(result.stderr()).containsExactly(0, 255);
        String fakeExit = "X\\000\\000\\000\\015\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000";
        CommandResult forged = runner(image).run(request(image, "printf '" + fakeExit + "'; echo; echo real"));
        assertThat(text(forged.stdout())).endsWith("\nreal\n");
        assertThat(stdout(image, "echo next")).isEqualTo("next\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void stdin_bytes_reach_the_command(String image) {
        byte[] stdin = new byte[300_000];
        new Random(42).nextBytes(stdin);
        RunRequest request = new RunRequest("cat > /tmp/in; head -c 1000000 /tmp/in", shell(image), Map.of(), "/workspace",
                stdin, Duration.ofSeconds(20), LIMIT);
        assertThat(runner(image).run(request).stdout()).isEqualTo(stdin);
        byte[] few = {0, '\n', (byte) 255};
        assertThat(runner(image).run(new RunRequest("cat", shell(image), Map.of(), "/", few, Duration.ofSeconds(20), LIMIT))
                .stdout()).isEqualTo(few);
        assertThat(stdout(image, "cat; echo end")).as("empty stdin ends at once").isEqualTo("end\n");
        assertThat(stdout(image, "head -c 1 /dev/stdin >/dev/null; echo ok")).isEqualTo("ok\n");
        RunRequest unread = new RunRequest("echo ignored it", shell(image), Map.of(), "/", new byte[1 << 20],
                Duration.ofSeconds(20), LIMIT);
        assertThat(text(runner(image).run(unread).stdout())).as("stdin the command never reads").isEqualTo("ignored it\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void env_and_workdir_apply_to_the_command_only(String image) {
        String odd = "it's \"quoted\" $HOME `x`\nsecond line\\";
        String big = "y".repeat(10_000);
        Map<String, String> env = Map.of("ODD", odd, "EMPTY", "", "BIG", big, "PATH", "/nowhere:/bin:/usr/bin", "IFS", "/");
        RunRequest request = new RunRequest("pwd; printf '%s|' \"$ODD\" \"$EMPTY\" \"${#BIG}\" \"$PATH\"", shell(image),
                env, "/tmp", new byte[0], Duration.ofSeconds(20), LIMIT);
        CommandResult result = runner(image).run(request);
        assertThat(text(result.stderr())).isEmpty();
        assertThat(text(result.stdout())).isEqualTo("/tmp\n" + odd + "||10000|/nowhere:/bin:/usr/bin|");
        assertThat(stdout(image, "pwd; echo \"[$ODD]\"")).isEqualTo("/workspace\n[]\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void a_workdir_that_does_not_exist_or_a_nul_fails_the_command_not_the_agent(String image) {
        RunRequest request = new RunRequest("echo never", shell(image), Map.of(), "/nope", new byte[0],
                Duration.ofSeconds(20), LIMIT);
        CommandResult result = runner(image).run(request);
        assertThat(result.exitCode()).isNotZero();
        assertThat(text(result.stdout())).isEmpty();
        assertThat(text(result.stderr())).contains("/nope");
        CommandResult nul = runner(image).run(request(image, "echo a\0b"));
        assertThat(nul.exitCode()).isEqualTo(126);
        CommandResult noShell = runner(image).run(new RunRequest("echo x", "/no/shell", Map.of(), "/", new byte[0],
                Duration.ofSeconds(20), LIMIT));
        assertThat(noShell.exitCode()).isEqualTo(127);
        assertThat(stdout(image, "echo fine")).isEqualTo("fine\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void cancel_from_another_thread_ends_the_running_command(String image) throws Exception {
        AgentCommandRunner runner = runner(image);
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request(image, "echo started; sleep 103 & sleep 104", Duration.ofSeconds(60))));
        await().atMost(Duration.ofSeconds(10)).until(() -> processes(image).contains("sleep 104"));
        runner.cancelRunning();
        CommandResult result = run.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(text(result.stdout())).isEqualTo("started\n");
        assertThat(processes(image)).as("the whole group went").doesNotContain("sleep 103");
        runner.cancelRunning(); // nothing running: no effect
        assertThat(stdout(image, "echo after")).isEqualTo("after\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void reset_kills_leftovers_and_empties_the_workspace_tmp_and_shm(String image) throws Exception {
        stdout(image, "echo x > f; mkdir -p d/.hidden/e; touch .dot ..dots /tmp/t /tmp/.t /dev/shm/s; chmod 500 d;"
                + " ln -s / root; (setsid sleep 107 &)");
        assertThat(processes(image)).contains("sleep 107");
        runner(image).reset();
        assertThat(processes(image)).doesNotContain("sleep 107");
        assertThat(stdout(image, "ls -A /workspace /tmp /dev/shm")).isEqualTo("/dev/shm:\n\n/tmp:\n\n/workspace:\n");
        assertThat(boxes.runtime.isRunning(runner(image).containerId())).isTrue();
        assertThat(runner(image).alive()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void files_go_in_and_out_without_leaving_the_workspace(String image) {
        AgentCommandRunner runner = runner(image);
        byte[] content = new byte[200_000];
        new Random(7).nextBytes(content);
        assertThat(runner.writeFile("/workspace", "/workspace/a/b/c.bin", content).exitCode()).isZero();
        CommandResult read = runner.readFile("/workspace", "a/b/c.bin", 1 << 20);
        assertThat(read.exitCode()).isZero();
        assertThat(read.stdout()).isEqualTo(content);
        assertThat(runner.readFile("/workspace", "a/b/c.bin", 1000).stdoutTruncated()).isTrue();
        assertThat(runner.readFile("/workspace", "/workspace/none", 1000).exitCode()).isEqualTo(2);
        assertThat(runner.readFile("/workspace", "/etc/passwd", 1000).exitCode()).isEqualTo(3);
        assertThat(runner.readFile("/workspace", "/workspace/a", 1000).exitCode()).isEqualTo(4);
        stdout(image, "ln -s /etc/passwd /workspace/link; ln -s /etc /workspace/etc");
        assertThat(runner.readFile("/workspace", "/workspace/link", 1000).exitCode()).isEqualTo(3);
        assertThat(runner.readFile("/workspace", "/workspace/etc/passwd", 1000).exitCode()).isEqualTo(3);
        assertThat(runner.writeFile("/workspace", "/workspace/link", new byte[1]).exitCode()).isEqualTo(3);
        assertThat(runner.writeFile("/workspace", "/tmp/x", new byte[1]).exitCode()).isEqualTo(3);
        assertThat(stdout(image, "cat a/b/c.bin | wc -c")).contains("200000");
    }

    @Test
    void a_fifo_or_a_symlinked_directory_in_the_workspace_does_not_hang_or_lead_a_file_call_out() throws Exception {
        AgentCommandRunner runner = runner(BUSYBOX);
        stdout(BUSYBOX, "mkfifo /workspace/pipe; ln -s /tmp /workspace/out; rm -rf /tmp/a");
        CompletableFuture<CommandResult> write = CompletableFuture.supplyAsync(
                () -> runner.writeFile("/workspace", "/workspace/pipe", new byte[] {1}));
        assertThat(write.orTimeout(10, TimeUnit.SECONDS).join().exitCode()).as("a fifo is no file").isNotZero();
        CompletableFuture<CommandResult> read = CompletableFuture.supplyAsync(
                () -> runner.readFile("/workspace", "/workspace/pipe", 100));
        assertThat(read.orTimeout(10, TimeUnit.SECONDS).join().exitCode()).isEqualTo(2);
        assertThat(runner.writeFile("/workspace", "/workspace/out/a/b", new byte[] {1}).exitCode()).isEqualTo(3);
        assertThat(stdout(BUSYBOX, "ls -A /tmp")).as("nothing made through the symlink").doesNotContain("a");
        assertThat(runner.alive()).isTrue();
        runner.reset();
    }

    @Test
    void more_background_processes_holding_output_than_the_agent_keeps_pipes_for_do_not_break_it() throws Exception {
        for (int i = 0; i < 70; i++) { // the agent drains 64 such pipes at most, closing the oldest
            stdout(BUSYBOX, "sleep 300 & echo " + i);
        }
        assertThat(stdout(BUSYBOX, "echo still here")).isEqualTo("still here\n");
        assertThat(runner(BUSYBOX).alive()).isTrue();
        runner(BUSYBOX).reset();
        assertThat(processes(BUSYBOX)).doesNotContain("sleep 300");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void stats_come_from_the_containers_cgroup(String image) {
        CommandResult stats = runner(image).stats("/workspace");
        assertThat(stats.exitCode()).isZero();
        assertThat(text(stats.stdout())).contains("memory_bytes=").contains("memory_limit_bytes=268435456")
                .contains("pids=").contains("workspace_size_bytes=67108864").contains("cpu_ns=");
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void a_fork_bomb_ends_at_its_timeout_and_the_agent_goes_on(String image) throws Exception {
        // the shell ends at its timeout, or earlier when it cannot fork its own sleep: either way it ends
        CompletableFuture<CommandResult> bomb = CompletableFuture.supplyAsync(
                () -> runner(image).run(request(image, "b() { b | b & }; b; sleep 30", Duration.ofSeconds(3))));
        assertThat(bomb.orTimeout(15, TimeUnit.SECONDS).join().exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner(image).run(request(image, "echo ok")).exitCode() == 0);
        runner(image).reset();
        assertThat(stdout(image, "echo after the reset")).isEqualTo("after the reset\n");
        assertThat(runner(image).alive()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {BUSYBOX, BOOKWORM})
    void the_oom_killer_takes_the_command_not_the_agent(String image) {
        CommandResult oom = runner(image).run(request(image, "tail /dev/zero", Duration.ofSeconds(60)));
        assertThat(oom.exitCode()).as("SIGKILL from the OOM killer").isEqualTo(137);
        assertThat(oom.timedOut()).isFalse();
        assertThat(runner(image).alive()).isTrue();
        assertThat(stdout(image, "echo survived")).isEqualTo("survived\n");
    }

    @Test
    void a_command_that_kills_the_agent_fails_its_run_and_a_new_agent_keeps_the_files() throws Exception {
        AgentCommandRunner runner = runner(BUSYBOX);
        stdout(BUSYBOX, "echo kept > /workspace/keep");
        long pid = runner.agentPid();
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request(BUSYBOX, "kill -9 " + pid + "; sleep 30")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !runner.alive());
        assertThat(catchThrowable(run::join).getCause())
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isTrue());
        assertThatThrownBy(() -> runner.run(request(BUSYBOX, "echo hi")))
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
        AgentCommandRunner again = boxes.track((AgentCommandRunner) boxes.factory.reattach(runner.containerId()));
        runners.put(BUSYBOX, again);
        assertThat(again.agentPid()).isNotEqualTo(pid);
        assertThat(stdout(BUSYBOX, "cat /workspace/keep")).isEqualTo("kept\n");
    }

    @Test
    void an_agent_that_dies_before_it_reads_the_run_request_fails_it_as_not_started_and_nothing_ran() throws Exception {
        AgentCommandRunner runner = runner(BUSYBOX);
        long pid = runner.agentPid();
        dockerExec(runner.containerId(), "kill -STOP " + pid); // it cannot read what is sent now
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request(BUSYBOX, "touch /workspace/ran")));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !run.isDone());

        dockerExec(runner.containerId(), "kill -KILL " + pid); // dies with the request unread

        assertThat(catchThrowable(run::join).getCause())
                .as("the agent never read the command: it can go to a new agent without running twice")
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
        AgentCommandRunner again = boxes.track((AgentCommandRunner) boxes.factory.reattach(runner.containerId()));
        runners.put(BUSYBOX, again);
        assertThat(stdout(BUSYBOX, "test -e /workspace/ran && echo ran || echo never")).isEqualTo("never\n");
    }

    @Test
    void a_command_cannot_reach_the_nodes_socket_or_change_its_directory() {
        String out = stdout(BUSYBOX, "ls -la /.boxq/run/; touch /.boxq/run/x 2>&1; rm -f /.boxq/agent 2>&1; echo done");
        assertThat(out).doesNotContain("agent.sock").contains("Read-only file system").endsWith("done\n");
    }

    @Test
    void a_container_that_is_not_there_fails_the_reattach() {
        assertThatThrownBy(() -> boxes.factory.reattach("no-such-container"))
                .isInstanceOfSatisfying(RunnerFailedException.class, e -> assertThat(e.commandStarted()).isFalse());
    }
}
