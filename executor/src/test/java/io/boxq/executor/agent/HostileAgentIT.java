package io.boxq.executor.agent;

import static io.boxq.executor.agent.AgentBoxes.BUSYBOX;
import static io.boxq.executor.agent.AgentFrameReaderFuzzTest.heapAfterGc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.async.ResultCallback;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.boxq.core.config.SandboxUser;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.agent.AgentFrameReader.Frame;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node against a hostile agent, end to end: a stand-in binary ({@code src/test/c/hostile-agent.c})
 * mounted where the agent goes, jobs that turn on the real agent, and the real agent's parser fed
 * malformed requests. Each hostile run must end promptly in a runner failure (or a clean failed
 * result where the protocol allows it), break only its own connection, leave no reader thread and
 * no heap behind, while a real agent in another container serves jobs throughout.
 */
class HostileAgentIT {
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** A hostile run's bound: its timeout, the kill's grace, slack for a loaded machine. */
    static final Duration BOUND = TIMEOUT.plus(AgentCommandRunner.KILL_GRACE).plusSeconds(5);
    static final int LIMIT = 64 << 10;

    @TempDir
    static Path dir;
    static AgentBoxes real;
    static AgentBoxes hostile;
    static AgentCommandRunner suspect;  // the hostile binary's runner, replaced when broken
    static AgentCommandRunner turncoat; // the real agent, whose jobs turn on it
    static NormalJobs normal;           // the real agent in a third container, serving throughout
    static long heapBaseline;

    @BeforeAll
    static void start() throws Exception {
        AgentBinary standIn = AgentBinary.locate(AgentBoxes.AGENT_DIR, compileHostileAgent().toString());
        assertThat(standIn.version()).isEqualTo("boxq-agent/1 hostile");
        hostile = new AgentBoxes("HostileAgentIT", standIn);
        real = new AgentBoxes("HostileAgentIT");
        suspect = hostile.start(BUSYBOX);
        turncoat = real.start(BUSYBOX);
        normal = NormalJobs.start(real.start(BUSYBOX));
        heapBaseline = heapAfterGc();
    }

    @AfterAll
    static void stop() throws Exception {
        try (AgentBoxes r = real; AgentBoxes h = hostile) {
            if (normal != null) {
                assertThat(normal.stop()).as("jobs of the real agent that failed meanwhile").isEmpty();
            }
        }
    }

    /** Builds the stand-in the way the agent is built: static, against musl. */
    static Path compileHostileAgent() throws Exception {
        Path source = Path.of("src/test/c/hostile-agent.c").toAbsolutePath();
        Path binary = dir.resolve("hostile-agent");
        Process cc;
        try {
            cc = new ProcessBuilder("musl-gcc", "-static", "-O2", "-Wall", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("musl-gcc is needed to build the hostile agent: install musl-tools "
                    + "(scripts/setup.sh does): " + e.getMessage(), e);
        }
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0).as("musl-gcc %s: %s", source, out).isTrue();
        return binary;
    }

    static RunRequest request(String command, Duration timeout) {
        return new RunRequest(command, "sh", Map.of(), "/workspace", new byte[0], timeout, LIMIT);
    }

    /** The hostile runner, with a new stand-in in the same container when the last one broke. */
    static AgentCommandRunner suspect() throws Exception {
        if (!suspect.alive()) {
            suspect = hostile.track((AgentCommandRunner) hostile.factory.reattach(suspect.containerId()));
        }
        return suspect;
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "too-long", "ffffffff", "stream7", "empty-out", "flood", "silent", "half", "close",
        "exit", "hello-again", "exit999", "past-limit"})
    void a_hostile_answer_fails_its_run_promptly_and_breaks_only_its_own_connection(String misbehaviour) throws Exception {
        AgentCommandRunner runner = suspect();
        long served = normal.served();
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(request(misbehaviour, TIMEOUT)));
        Throwable failure = catchThrowable(() -> run.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(failure).as("within %s", BOUND).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOfSatisfying(RunnerFailedException.class, e -> {
            assertThat(e.commandStarted()).isTrue();
            assertThat(e.getMessage()).contains(runner.containerId());
        });
        assertThat(runner.alive()).isFalse();
        assertLeftNothingBehind(runner.containerId(), served);
        assertThat(suspect().run(request("ok", TIMEOUT)).stdout()).as("a new stand-in in the same container")
                .asString().isEqualTo("ok\n");
    }

    @Test
    void a_status_in_place_of_an_exit_is_a_command_that_could_not_start() throws Exception {
        long served = normal.served();
        CommandResult result = suspect().run(request("status", TIMEOUT));
        assertThat(result.exitCode()).isEqualTo(126);
        assertThat(new String(result.stderr(), StandardCharsets.UTF_8)).contains("a status instead of an exit");
        assertThat(suspect.alive()).isTrue();
        assertLeftNothingBehind(null, served);
    }

    @Test
    void a_frame_sent_after_the_answer_breaks_the_connection_once_the_result_is_in() throws Exception {
        AgentCommandRunner runner = suspect();
        long served = normal.served();
        assertThat(runner.run(request("idle-frame", TIMEOUT)).stdout()).asString().isEqualTo("ok\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> !runner.alive());
        assertThat(runner.failure()).contains("nobody asked for");
        assertLeftNothingBehind(runner.containerId(), served);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "wrong-version", "none", "close", "huge"})
    void a_hostile_hello_fails_the_new_agent_and_the_one_after_it_is_taken(String hello) throws Exception {
        AgentCommandRunner runner = suspect();
        long served = normal.served();
        assertThat(runner.run(request("prime-hello " + hello, TIMEOUT)).exitCode()).isZero();
        runner.close();
        CompletableFuture<?> again = CompletableFuture.supplyAsync(() -> hostile.factory.reattach(runner.containerId()));
        Throwable failure = catchThrowable(() -> again.get(AgentRunnerFactory.DEFAULT_HANDSHAKE_TIMEOUT.toSeconds() + 10,
                TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOf(RunnerFailedException.class).hasMessageContaining(runner.containerId());
        assertLeftNothingBehind(runner.containerId(), served);
        assertThat(suspect().run(request("ok", TIMEOUT)).stdout()).asString().isEqualTo("ok\n");
    }

    @Test
    void a_job_that_kills_its_agent_fails_and_a_new_agent_serves_the_same_container() throws Exception {
        long served = normal.served();
        AgentCommandRunner runner = turncoat;
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request("echo kept > /workspace/kept; kill -9 $PPID; sleep 30", Duration.ofSeconds(60))));
        Throwable failure = catchThrowable(() -> run.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(failure.getCause()).isInstanceOfSatisfying(RunnerFailedException.class,
                e -> assertThat(e.commandStarted()).isTrue());
        assertLeftNothingBehind(runner.containerId(), served);
        turncoat = real.track((AgentCommandRunner) real.factory.reattach(runner.containerId()));
        assertThat(turncoat.run(request("cat /workspace/kept", TIMEOUT)).stdout()).asString().isEqualTo("kept\n");
    }

    @Test
    void a_job_cannot_dial_the_nodes_socket_once_its_agent_is_connected() throws Exception {
        long served = normal.served();
        CommandResult result = turncoat().run(request("ls -A /.boxq/run; /.boxq/agent serve /.boxq/run/agent.sock;"
                + " echo dialled: $?", Duration.ofSeconds(30)));
        assertThat(new String(result.stdout(), StandardCharsets.UTF_8)).as("the agent gives up dialling: exit 69")
                .isEqualTo("dialled: 69\n");
        assertThat(turncoat.alive()).isTrue();
        assertLeftNothingBehind(null, served);
    }

    @Test
    void a_job_cannot_open_its_agents_socket_through_proc() throws Exception {
        long served = normal.served();
        CommandResult result = turncoat().run(request("for f in /proc/$PPID/fd/*; do t=$(readlink $f);"
                + " if (echo hijack > $f) 2>/dev/null; then echo \"opened $t\"; else echo \"refused $t\"; fi; done",
                Duration.ofSeconds(20)));
        String out = new String(result.stdout(), StandardCharsets.UTF_8);
        assertThat(out).as("exit %d, stderr %s", result.exitCode(), new String(result.stderr(), StandardCharsets.UTF_8))
                .contains("refused socket:").doesNotContain("opened socket:");
        assertThat(turncoat.alive()).isTrue();
        assertThat(turncoat.run(request("echo after", TIMEOUT)).stdout()).asString().isEqualTo("after\n");
        assertLeftNothingBehind(null, served);
    }

    @Test
    void a_fork_bomb_against_the_pids_limit_leaves_the_agent_answering_and_a_reset_and_reattach_clear_it() throws Exception {
        long served = normal.served();
        AgentCommandRunner runner = turncoat();
        CompletableFuture<CommandResult> bomb = CompletableFuture.supplyAsync(
                () -> runner.run(request("f() { f | f & }; f; sleep 1", Duration.ofSeconds(2))));
        assertThat(bomb).as("the bomb's own run ends (it leaves its children behind)")
                .succeedsWithin(BOUND.plusSeconds(1));
        CommandResult next = runner.run(request("echo next", Duration.ofSeconds(5)));
        assertThat(next.exitCode()).as("the next run works, or fails cleanly to fork: %s", next).isIn(0, 126);
        runner.reset();
        assertThat(runner.run(request("echo reset", TIMEOUT)).stdout()).asString().isEqualTo("reset\n");
        runner.close();
        assertLeftNothingBehind(runner.containerId(), served);
        turncoat = real.track((AgentCommandRunner) real.factory.reattach(runner.containerId()));
        assertThat(turncoat.run(request("echo back", TIMEOUT)).stdout()).asString().isEqualTo("back\n");
    }

    static AgentCommandRunner turncoat() {
        assertThat(turncoat.alive()).as("the real agent of the jobs that turn on it").isTrue();
        return turncoat;
    }

    @Test
    void the_real_agent_answers_every_malformed_request_or_hangs_up_and_its_container_stays_up() throws Exception {
        Path run = Files.createDirectories(dir.resolve("fuzz"));
        AgentBinary agent = AgentBinary.locate(AgentBoxes.AGENT_DIR, null);
        AgentListener listener = AgentListener.open(run);
        String id = real.runtime.start(new ContainerSpec(BUSYBOX, 256L << 20, 25, 1024, 128, 64L << 20, 64L << 20, "none",
                null, SandboxUser.NOBODY, "/workspace", 1024,
                Map.of(Labels.MANAGED, "true", "boxq.test", "HostileAgentIT"),
                List.of(AgentRunnerFactory.AGENT_IN_CONTAINER, "init", AgentRunnerFactory.SOCKET_IN_CONTAINER),
                Map.of(agent.path().toString(), AgentRunnerFactory.AGENT_IN_CONTAINER, run.toString(),
                        AgentRunnerFactory.RUN_IN_CONTAINER)));
        try (RawAgent raw = new RawAgent(listener.accept(Duration.ofSeconds(10)))) {
            RawAgent current = raw;
            Random r = new Random(0xA6E47L);
            int answered = 0;
            int hungUp = 0;
            for (int i = 0; i < 200; i++) {
                AgentRequestFuzz q = AgentRequestFuzz.make(i, r);
                List<Frame> answer = current.exchange(q);
                if (q.oversized()) {
                    assertThat(answer).as("%s: the agent hangs up, before reading or allocating it", q).isNull();
                    assertThat(real.runtime.isRunning(id)).as("the container outlives its agent").isTrue();
                    current.close();
                    current = RawAgent.relaunch(real, id, run);
                    hungUp++;
                } else {
                    assertThat(answer).as("%s: answered, not hung up on", q).isNotNull();
                    answered++;
                }
            }
            assertThat(hungUp).isEqualTo(3);
            assertThat(answered).isEqualTo(197);
            assertThat(real.runtime.isRunning(id)).isTrue();
            current.close();
        } finally {
            listener.close();
            real.runtime.remove(id);
        }
    }

    /**
     * After a case: the broken connection's reader has ended, the heap is back near where it was,
     * and the real agent in the other container has served a job since the case began.
     */
    static void assertLeftNothingBehind(String brokenContainer, long servedBefore) throws Exception {
        if (brokenContainer != null) {
            await().atMost(Duration.ofSeconds(5)).until(() -> readersOf(brokenContainer) == 0);
        }
        assertThat(heapAfterGc() - heapBaseline).as("heap held since the first case").isLessThan(64L << 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> normal.served() > servedBefore);
        assertThat(normal.failures()).isEmpty();
        assertThat(readersOf(normal.containerId())).as("the normal agent's reader, seen by the same probe").isEqualTo(1);
    }

    /** Live reader threads (virtual ones included) of connections to {@code containerId}'s agents. */
    static long readersOf(String containerId) throws IOException {
        Path file = dir.resolve("threads-" + System.nanoTime() + ".json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        String dump = Files.readString(file);
        Files.delete(file);
        Matcher m = Pattern.compile("\"name\": \"agent-" + containerId.substring(0, 12) + "\"").matcher(dump);
        return m.results().count();
    }

    /** The real agent's connection, spoken to without the node's budgets: a test playing the node. */
    static final class RawAgent implements AutoCloseable {
        private final SocketChannel channel;
        private final AgentFrameReader frames;

        RawAgent(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.frames = new AgentFrameReader(channel);
            Frame hello = frames.next();
            assertThat(hello).isNotNull();
            assertThat(AgentWire.hello(hello.payload()).version()).startsWith(AgentWire.PROTOCOL);
        }

        /** A new agent in the same container, as a reattach starts one. */
        static RawAgent relaunch(AgentBoxes boxes, String id, Path run) throws Exception {
            AgentListener listener = AgentListener.open(run);
            String exec = boxes.docker.execCreateCmd(id)
                    .withCmd(AgentRunnerFactory.AGENT_IN_CONTAINER, "serve", AgentRunnerFactory.SOCKET_IN_CONTAINER)
                    .exec().getId();
            boxes.docker.execStartCmd(exec).withDetach(true).exec(new ResultCallback.Adapter<>()).awaitCompletion();
            return new RawAgent(listener.accept(Duration.ofSeconds(10)));
        }

        /**
         * Sends {@code q} and reads its answer (output frames, then a status or an exit, all within
         * the node's ceilings); a kill has none, so a stats request follows it. Null: the agent hung up.
         */
        List<Frame> exchange(AgentRequestFuzz q) throws Exception {
            CompletableFuture<List<Frame>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    FakeAgentSockets.write(channel, q.bytes());
                    if (q.type() == 'K' && !q.oversized()) {
                        FakeAgentSockets.write(channel, AgentWire.stats("/workspace"));
                    }
                    return answer();
                } catch (IOException e) {
                    throw new IllegalStateException(q + ": " + e.getMessage(), e);
                }
            });
            try {
                return answer.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(q + ": no answer within 10 s", e);
            }
        }

        private List<Frame> answer() throws IOException {
            List<Frame> got = new ArrayList<>();
            while (true) {
                Frame f = frames.next();
                if (f == null) {
                    assertThat(got).as("the agent hung up inside an answer").isEmpty();
                    return null;
                }
                got.add(f);
                if (f.type() == AgentWire.STATUS) {
                    AgentWire.status(f.payload());
                    return got;
                }
                if (f.type() == AgentWire.EXIT) {
                    AgentWire.exit(f.payload());
                    return got;
                }
                assertThat(f.type()).as("only output comes before the end of an answer").isEqualTo(AgentWire.OUT);
                AgentWire.stream(f.payload());
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Jobs on a real agent one after another, for as long as the class runs. */
    static final class NormalJobs {
        private final AgentCommandRunner runner;
        private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean stopping;
        private Thread thread;

        private NormalJobs(AgentCommandRunner runner) {
            this.runner = runner;
        }

        static NormalJobs start(AgentCommandRunner runner) {
            NormalJobs jobs = new NormalJobs(runner);
            jobs.thread = Thread.ofVirtual().name("normal-jobs").start(jobs::loop);
            return jobs;
        }

        private void loop() {
            while (!stopping) {
                try {
                    long n = served.get();
                    CommandResult r = runner.run(request("echo " + n + "; sleep 0.1", Duration.ofSeconds(20)));
                    if (r.exitCode() != 0 || !new String(r.stdout(), StandardCharsets.UTF_8).equals(n + "\n")) {
                        failures.add("job " + n + ": exit " + r.exitCode() + ", " + new String(r.stdout(), StandardCharsets.UTF_8));
                    }
                    served.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                    return;
                }
            }
        }

        long served() {
            return served.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        String containerId() {
            return runner.containerId();
        }

        List<String> stop() throws InterruptedException {
            stopping = true;
            thread.join(Duration.ofSeconds(30));
            return failures();
        }
    }
}
