package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.OutputChunk;
import io.boxq.executor.agent.AgentFrameReader.Frame;
import io.boxq.executor.agent.FuzzCase.Kind;
import io.boxq.executor.agent.FuzzCase.Phase;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's side of the agent's socket (reader, connection, runner) against a hostile peer over
 * real unix sockets, without Docker: garbage, huge and "negative" lengths, unknown types, frames
 * that never end, floods past the budget, frames nobody asked for, EOF inside a frame, and valid
 * answers mutated at random. Every case must end within its deadline in either the right result or
 * a protocol error with a message (never another exception), and a failed connection's reader must
 * have ended by itself. Seeded: a failure names the seed and the case; {@code -Dboxq.fuzz.seed=}
 * runs another seed, {@code -Dboxq.fuzz.case=} replays one case.
 */
class AgentFrameReaderFuzzTest {
    static final long SEED = Long.decode(System.getProperty("boxq.fuzz.seed", "0xB0C5F022"));
    static final int CASES = 1200;
    static final int LIMIT = 4096;
    /** The deadline of a hello, and of a run whose answer never ends. */
    static final Duration DEADLINE = Duration.ofMillis(300);
    /** Any case: a run's deadline, the kill's grace, and slack for a loaded machine. */
    static final Duration BOUND = DEADLINE.plus(AgentCommandRunner.KILL_GRACE).plusSeconds(10);
    static final Duration READER_ENDS = Duration.ofSeconds(3);

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

    @Test
    void every_hostile_stream_ends_in_the_right_result_or_a_protocol_error_and_leaves_no_reader_behind() throws Exception {
        long heapBefore = heapAfterGc();
        Random seeds = new Random(SEED);
        List<FuzzCase> all = IntStream.range(0, CASES).mapToObj(i -> FuzzCase.make(i, seeds.nextLong(), LIMIT)).toList();
        assertThat(all.stream().map(FuzzCase::kind).distinct()).as("every kind is drawn").hasSize(Kind.values().length);
        List<FuzzCase> cases = all.stream()
                .filter(c -> c.index() == Integer.getInteger("boxq.fuzz.case", c.index()))
                .sorted(Comparator.comparing(c -> !(c.endsByDeadline() && c.phase() == Phase.RUN))) // the slow first
                .toList();

        List<String> problems = new ArrayList<>();
        Semaphore slots = new Semaphore(32);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> results = cases.stream().map(c -> pool.submit(() -> {
                slots.acquire();
                try {
                    return attempt(c, pool);
                } finally {
                    slots.release();
                }
            })).toList();
            for (int i = 0; i < cases.size(); i++) {
                for (String p : results.get(i).get()) {
                    problems.add(cases.get(i) + ": " + p);
                }
            }
        }
        assertThat(problems).as("seed 0x%x (rerun: -Dboxq.fuzz.seed=0x%x -Dboxq.fuzz.case=N)", SEED, SEED).isEmpty();
        assertThat(heapAfterGc() - heapBefore).as("heap kept after %d cases", cases.size()).isLessThan(64L << 20);
    }

    /** Plays one case on a new socket pair, bounded by {@link #BOUND}; returns what went wrong. */
    private static List<String> attempt(FuzzCase c, ExecutorService pool) throws Exception {
        try (FakeAgentSockets.Pair pair = sockets.pair()) {
            Thread agent = Thread.ofVirtual().start(() -> playAgent(c, pair.agent()));
            Future<List<String>> node = pool.submit(() -> playNode(c, pair.node()));
            try {
                return node.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return List.of("did not end within " + BOUND);
            } catch (ExecutionException e) {
                return List.of("threw " + e.getCause() + " at " + Arrays.toString(e.getCause().getStackTrace()));
            } finally {
                pair.close();
                agent.join(Duration.ofSeconds(5));
            }
        }
    }

    /** The agent's end: a valid hello first (unless the hello is the case), the node's request, then the script. */
    private static void playAgent(FuzzCase c, SocketChannel agent) {
        Random chunks = new Random(c.seed() ^ 0x5A5A);
        try {
            if (c.phase() != Phase.HELLO) {
                FakeAgentSockets.write(agent, FakeAgentSockets.hello(FuzzCase.VERSION, 42));
            }
            if (c.phase() != Phase.HELLO && c.phase() != Phase.IDLE) {
                FakeAgentSockets.readRequest(agent);
            }
            byte[] s = c.script();
            for (int at = 0; at < s.length; ) { // in pieces, so the reader sees frames split anywhere
                int n = Math.min(s.length - at, 1 + chunks.nextInt(chunks.nextBoolean() ? 8 : 70_000));
                FakeAgentSockets.write(agent, Arrays.copyOfRange(s, at, at + n));
                at += n;
            }
            if (!c.open()) {
                agent.close();
            }
        } catch (IOException e) {
            // the node hung up first: what it makes of that is checked on its side
        }
    }

    /** The node's end: what a factory and a runner do with the stream, then the checks. */
    private static List<String> playNode(FuzzCase c, SocketChannel channel) throws InterruptedException {
        AgentConnection connection = new AgentConnection(channel, "fuzz-" + c.index(), Budget.hello());
        Outcome hello = handshake(connection);
        if (c.phase() == Phase.HELLO) {
            return check(c, hello, connection, List.of());
        }
        if (hello.error() != null) {
            return List.of("the valid hello before the case failed: " + hello.error().getMessage());
        }
        AgentCommandRunner runner = new AgentCommandRunner("fuzz-" + c.index(), connection, 42, "/workspace");
        List<OutputChunk> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            Object value = switch (c.phase()) {
                case RUN -> runner.run(new RunRequest("true", "sh", Map.of(), "/workspace", new byte[0],
                        c.endsByDeadline() ? DEADLINE : Duration.ofSeconds(30), LIMIT, chunks::add));
                case READ -> runner.readFile("/workspace", "some/file", LIMIT);
                case STATS -> runner.stats("/workspace");
                default -> idle(connection);
            };
            return check(c, new Outcome(value, null), connection, chunks);
        } catch (RunnerFailedException | AgentProtocolException e) {
            return check(c, new Outcome(null, e), connection, chunks);
        }
    }

    /** What {@code AgentRunnerFactory.connect} does with the first frame. */
    private static Outcome handshake(AgentConnection connection) throws InterruptedException {
        try {
            Frame f = connection.next(System.nanoTime() + DEADLINE.toNanos());
            if (f == null) {
                connection.fail("no hello within " + DEADLINE);
                return new Outcome(null, new AgentProtocolException(connection.failure()));
            }
            return new Outcome(AgentWire.hello(f.payload()), null);
        } catch (AgentProtocolException e) {
            connection.fail(e.getMessage());
            return new Outcome(null, e);
        }
    }

    /** Nothing asked: whatever comes must end the connection by itself. */
    private static Object idle(AgentConnection connection) throws InterruptedException {
        if (connection.readerEnded(READER_ENDS.toMillis()) && connection.failure() != null) {
            throw new AgentProtocolException(connection.failure());
        }
        return "the connection stayed open";
    }

    private record Outcome(Object value, RuntimeException error) {}

    private static List<String> check(FuzzCase c, Outcome o, AgentConnection connection, List<OutputChunk> chunks)
            throws InterruptedException {
        List<String> problems = new ArrayList<>();
        if (o.error() != null) {
            String message = o.error().getMessage();
            if (message == null || message.isBlank()) {
                problems.add("an error without a message");
            }
            if (!connection.readerEnded(READER_ENDS.toMillis())) {
                problems.add("the reader still runs after the failure: " + message);
            }
            if (connection.alive()) {
                problems.add("the connection is still alive after: " + message);
            }
            String wrong = wrongFailure(c, message == null ? "" : message);
            if (wrong != null) {
                problems.add(wrong);
            }
            return problems;
        }
        String wrong = wrongValue(c, o.value(), chunks);
        if (wrong != null) {
            problems.add(wrong);
        }
        if (c.kind() == Kind.VALID_THEN_UNASKED) {
            if (!connection.readerEnded(READER_ENDS.toMillis()) || !String.valueOf(connection.failure()).contains("nobody asked")) {
                problems.add("a frame after the answer did not break the connection: " + connection.failure());
            }
        }
        connection.close();
        if (!connection.readerEnded(READER_ENDS.toMillis())) {
            problems.add("the reader still runs after close");
        }
        return problems;
    }

    /** Why the failure is not the one the case calls for, or null. */
    private static String wrongFailure(FuzzCase c, String message) {
        boolean byDeadline = message.contains("within");
        String needed = switch (c.kind()) {
            case VALID, VALID_THEN_UNASKED -> "no failure";
            case HUGE_LENGTH -> message.contains("at most") && !byDeadline ? null : "a refused length, before its payload";
            case UNKNOWN_TYPE -> message.contains("unknown type") ? null : "an unknown type";
            case NEVER_ENDS -> byDeadline ? null : "the deadline";
            case EOF_INSIDE -> message.contains("ended inside a frame") ? null : "an end inside a frame";
            case FLOOD -> message.contains("output") && !byDeadline ? null : "output past the budget";
            case BAD_VALUE -> !byDeadline ? null : "a refused frame";
            case UNASKED_WHILE_IDLE -> message.contains("nobody asked") ? null : "a frame nobody asked for";
            case GARBAGE, MUTATED -> null;
        };
        return needed == null ? null : "wanted " + needed + ", got: " + message;
    }

    /** Why a clean value is not the one the case calls for, or null. */
    private static String wrongValue(FuzzCase c, Object value, List<OutputChunk> chunks) {
        if (c.kind() == Kind.UNASKED_WHILE_IDLE) {
            return "an unasked frame left the connection open";
        }
        if (c.kind() != Kind.VALID && c.kind() != Kind.VALID_THEN_UNASKED && c.kind() != Kind.GARBAGE
                && c.kind() != Kind.MUTATED) {
            return "wanted a failure, got " + value;
        }
        if (value instanceof CommandResult r) {
            if (r.stdout().length > LIMIT || r.stderr().length > LIMIT) {
                return "output past the limit";
            }
            if (c.phase() == Phase.RUN && !livePrefixOfResult(chunks, r)) {
                return "live output that is not a prefix of the result";
            }
        }
        if (c.expected() == null) {
            return null;
        }
        return same(c.expected(), value) ? null : "wanted " + describe(c.expected()) + ", got " + describe(value);
    }

    private static boolean livePrefixOfResult(List<OutputChunk> chunks, CommandResult r) {
        ByteArrayOutputStream[] told = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        for (OutputChunk chunk : chunks) {
            ByteArrayOutputStream s = told[chunk.stream().ordinal()];
            if (chunk.offset() != s.size()) {
                return false;
            }
            s.writeBytes(chunk.data());
        }
        return isPrefix(told[0].toByteArray(), r.stdout()) && isPrefix(told[1].toByteArray(), r.stderr());
    }

    private static boolean isPrefix(byte[] a, byte[] b) {
        return a.length <= b.length && Arrays.equals(a, Arrays.copyOf(b, a.length));
    }

    private static boolean same(Object expected, Object value) {
        if (expected instanceof CommandResult e && value instanceof CommandResult v) {
            return e.exitCode() == v.exitCode() && Arrays.equals(e.stdout(), v.stdout()) && Arrays.equals(e.stderr(), v.stderr())
                    && e.stdoutTruncated() == v.stdoutTruncated() && e.stderrTruncated() == v.stderrTruncated()
                    && e.timedOut() == v.timedOut() && java.util.Objects.equals(e.cpuMicros(), v.cpuMicros());
        }
        return expected.equals(value);
    }

    private static String describe(Object o) {
        if (o instanceof CommandResult r) {
            return "result(exit " + r.exitCode() + ", " + r.stdout().length + "/" + r.stderr().length + " bytes, truncated "
                    + r.stdoutTruncated() + "/" + r.stderrTruncated() + ", timed out " + r.timedOut() + ", cpu "
                    + r.cpuMicros() + ")";
        }
        return String.valueOf(o);
    }

    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
