package io.boxq.executor.agent;

import static io.boxq.executor.agent.AgentFrameReaderFuzzTest.heapAfterGc;
import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.CommandResult;
import io.boxq.executor.agent.FakeAgentSockets.Pair;
import io.boxq.executor.runner.OutputListener;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output frames of one byte each, as many as a run's budget allows, from an agent (or whatever
 * speaks in its place) while the run is watched live: the node's memory and work must stay in
 * proportion to the bytes the budget allows, however the agent cuts them into frames and however
 * slowly the live listener (a Redis append per chunk in a node) takes them.
 */
class AgentOutputFloodTest {
    @TempDir
    static Path dir;
    static FakeAgentSockets sockets;

    @BeforeAll
    static void listen() throws IOException {
        sockets = new FakeAgentSockets(dir);
    }

    @AfterAll
    static void close() throws IOException {
        sockets.close();
    }

    /** A started run whose agent sent one byte, waits for {@code started}, then floods one-byte frames. */
    private record Flood(Pair pair, AgentCommandRunner runner, Thread agent) {}

    private static Flood flood(int frames, CountDownLatch started) throws Exception {
        Pair pair = sockets.pair();
        Thread agent = Thread.ofVirtual().start(() -> {
            try {
                FakeAgentSockets.write(pair.agent(), FakeAgentSockets.hello(FuzzCase.VERSION, 1));
                FakeAgentSockets.readRequest(pair.agent());
                FakeAgentSockets.write(pair.agent(), FakeAgentSockets.out(1, new byte[] {'a'}));
                started.await();
                ByteArrayOutputStream all = new ByteArrayOutputStream(frames * 6 + 18);
                for (int i = 0; i < frames; i++) {
                    all.writeBytes(FakeAgentSockets.out(1 + i % 2, new byte[] {(byte) i}));
                }
                all.writeBytes(FakeAgentSockets.exit(0, -1, 0));
                FakeAgentSockets.write(pair.agent(), all.toByteArray());
            } catch (IOException | InterruptedException e) {
                // the node hung up
            }
        });
        AgentConnection connection = new AgentConnection(pair.node(), "flood", Budget.hello());
        AgentWire.hello(connection.next(System.nanoTime() + Duration.ofSeconds(5).toNanos()).payload());
        return new Flood(pair, new AgentCommandRunner("flood", connection, 1, "/workspace"), agent);
    }

    private static RunRequest watched(int limit, OutputListener live) {
        return watched(limit, Duration.ofSeconds(60), live);
    }

    private static RunRequest watched(int limit, Duration timeout, OutputListener live) {
        return new RunRequest("true", "sh", Map.of(), "/workspace", new byte[0], timeout, limit, live);
    }

    @Test
    void a_watched_run_of_one_byte_frames_allocates_in_proportion_to_its_output_not_its_square() throws Exception {
        int limit = 64 << 10;
        CountDownLatch started = new CountDownLatch(1);
        Flood f = flood(2 * limit, started);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        CommandResult result;
        try {
            result = f.runner().run(watched(limit, chunk -> started.countDown()));
        } finally {
            f.pair().close();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(result.stdout()).hasSize(limit);
        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(allocated).as("bytes the run's thread allocated for %d KiB of output a stream", limit >> 10)
                .isLessThan(512L * limit);
    }

    @Test
    void frames_waiting_for_a_slow_live_listener_hold_no_more_memory_than_the_output_budget() throws Exception {
        int limit = 256 << 10;
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch giveUp = new CountDownLatch(1);
        long heapBefore = heapAfterGc();
        Flood f = flood(2 * limit, started);
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> f.runner().run(watched(limit, chunk -> {
            started.countDown();
            try {
                giveUp.await(); // a listener far slower than the agent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the test stops the run here");
        })));
        try {
            f.agent().join(Duration.ofSeconds(3)); // the flood is in (about a second), or the node stopped taking it
            long held = heapAfterGc() - heapBefore;
            assertThat(held).as("heap held while %d one-byte frames wait (the budget is %d KiB of output)", 2 * limit,
                    2 * (limit + 1) >> 10).isLessThan(16L << 20);
        } finally {
            giveUp.countDown();
            f.runner().close();
            f.pair().close();
            assertThat(run).failsWithin(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_run_fed_frames_faster_than_its_live_listener_takes_them_still_ends_at_its_deadline_and_the_kills_grace()
            throws Exception {
        int limit = 16 << 10;
        Duration timeout = Duration.ofSeconds(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean gaveUp = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
        Flood f = flood(2 * limit, started);
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> f.runner().run(watched(limit, timeout,
                chunk -> {
                    started.countDown();
                    chunks.incrementAndGet();
                    LockSupport.parkNanos(Duration.ofMillis(1).toNanos()); // a store's round trip: 1 ms a chunk
                    if (gaveUp.get()) {
                        throw new IllegalStateException("the test gave up on this run");
                    }
                })));
        try {
            // Handed over per frame, 32,768 one-byte frames at 1 ms each would take 32 s; the run must end
            // (with its result, or failed for its deadline) within the deadline and the kill's grace.
            Duration bound = timeout.plus(AgentCommandRunner.KILL_GRACE).plusSeconds(3);
            org.awaitility.Awaitility.await().atMost(bound).until(run::isDone);
            assertThat(chunks.get()).as("live hand-overs of %d one-byte frames", 2 * limit).isLessThan(50);
        } finally {
            gaveUp.set(true);
            f.runner().close();
            f.pair().close();
        }
    }
}
