package io.boxq.executor.agent;

import static io.boxq.executor.agent.FakeAgentSockets.concat;
import static io.boxq.executor.agent.FakeAgentSockets.exit;
import static io.boxq.executor.agent.FakeAgentSockets.frame;
import static io.boxq.executor.agent.FakeAgentSockets.header;
import static io.boxq.executor.agent.FakeAgentSockets.hello;
import static io.boxq.executor.agent.FakeAgentSockets.out;
import static io.boxq.executor.agent.FakeAgentSockets.status;

import io.boxq.core.job.CommandResult;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One seeded case of {@link AgentFrameReaderFuzzTest}: what the node waits for ({@link Phase}),
 * what the agent's end sends instead ({@link Kind}, {@link #script}), whether it then keeps the
 * stream open, and what the node must make of it. The same seed always makes the same case.
 */
record FuzzCase(int index, long seed, Phase phase, Kind kind, byte[] script, boolean open, Object expected) {
    /** What the node waits for when the bytes come. */
    enum Phase { HELLO, RUN, READ, STATS, IDLE }

    /** What the agent's end sends. */
    enum Kind {
        VALID, VALID_THEN_UNASKED, GARBAGE, MUTATED, HUGE_LENGTH, UNKNOWN_TYPE, NEVER_ENDS, EOF_INSIDE, FLOOD, BAD_VALUE,
        UNASKED_WHILE_IDLE
    }

    static final String VERSION = "boxq-agent/1 fuzz";
    private static final int CHUNK = AgentWire.CHUNK;
    private static final byte[] TYPES = {'H', 'O', 'X', 'S'};
    private static final Kind[] WEIGHTED = weighted();

    /** Case {@code index} of the run seeded with {@code runSeed}. */
    static FuzzCase make(int index, long seed, int limit) {
        Random r = new Random(seed);
        Kind kind = WEIGHTED[r.nextInt(WEIGHTED.length)];
        Phase phase = phase(kind, r);
        Answer valid = valid(phase, r, limit);
        byte[] script = switch (kind) {
            case VALID -> valid.bytes;
            case VALID_THEN_UNASKED -> concat(valid.bytes, anyWellFormed(r));
            case GARBAGE -> random(r, 1 + r.nextInt(600));
            case MUTATED -> mutate(valid.bytes, r);
            case HUGE_LENGTH -> concat(prefix(phase, r), hugeHeader(r));
            case UNKNOWN_TYPE -> concat(prefix(phase, r), header(unknownType(r), r.nextLong(1L << 32)));
            case NEVER_ENDS, EOF_INSIDE -> concat(prefix(phase, r), unfinished(phase, r));
            case FLOOD -> flood(phase, r, limit);
            case BAD_VALUE -> badValue(phase, r);
            case UNASKED_WHILE_IDLE -> anyWellFormed(r);
        };
        boolean open = kind == Kind.HUGE_LENGTH || kind == Kind.UNKNOWN_TYPE || kind == Kind.NEVER_ENDS
                || kind == Kind.UNASKED_WHILE_IDLE || (phase == Phase.HELLO && kind != Kind.EOF_INSIDE && r.nextBoolean());
        Object expected = kind == Kind.VALID || kind == Kind.VALID_THEN_UNASKED ? valid.expected : null;
        return new FuzzCase(index, seed, phase, kind, script, open, expected);
    }

    /** Whether the node's answer must come from its deadline (the stream stays open, the frame never ends). */
    boolean endsByDeadline() {
        return kind == Kind.NEVER_ENDS;
    }

    @Override
    public String toString() {
        return "case " + index + " (seed " + Long.toHexString(seed) + ", " + phase + ", " + kind + ", "
                + script.length + " bytes, " + (open ? "then stays open" : "then closes") + ")";
    }

    private static Kind[] weighted() {
        int[] weights = {15, 5, 15, 20, 8, 5, 7, 8, 6, 8, 3};
        return java.util.stream.IntStream.range(0, weights.length)
                .flatMap(k -> java.util.stream.IntStream.range(0, weights[k]).map(i -> k))
                .mapToObj(k -> Kind.values()[k]).toArray(Kind[]::new);
    }

    private static Phase phase(Kind kind, Random r) {
        return switch (kind) {
            case UNASKED_WHILE_IDLE -> Phase.IDLE;
            case VALID_THEN_UNASKED -> pick(r, Phase.RUN, Phase.READ, Phase.STATS);
            // a run that never ends costs its deadline and the kill's grace: a few of them are enough
            case NEVER_ENDS -> r.nextInt(100) < 15 ? Phase.RUN : Phase.HELLO;
            default -> pick(r, Phase.HELLO, Phase.RUN, Phase.READ, Phase.STATS);
        };
    }

    /** A well-formed answer for the phase, and the value the node must make of it. */
    private record Answer(byte[] bytes, Object expected) {}

    private static Answer valid(Phase phase, Random r, int limit) {
        return switch (phase) {
            case HELLO, IDLE -> {
                String version = printable(r, r.nextInt(81));
                int pid = r.nextInt();
                yield new Answer(hello(version, pid), new AgentWire.Hello(version, Integer.toUnsignedLong(pid)));
            }
            case RUN -> run(r, limit);
            case READ -> {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                byte[] frames = outFrames(r, limit, new ByteArrayOutputStream[] {null, content, null}, 1);
                byte[] text = random(r, r.nextInt(200));
                int code = r.nextInt(256);
                byte[] bytes = content.toByteArray();
                yield new Answer(concat(frames, status(code, text)), new CommandResult(code,
                        Arrays.copyOf(bytes, Math.min(bytes.length, limit)), text, bytes.length > limit, false, false));
            }
            case STATS -> {
                byte[] text = random(r, r.nextInt(r.nextBoolean() ? 100 : 4097));
                int code = r.nextInt(256);
                yield new Answer(status(code, text), new CommandResult(code, text, new byte[0], false, false, false));
            }
        };
    }

    private static Answer run(Random r, int limit) {
        ByteArrayOutputStream[] streams = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        byte[] frames = outFrames(r, limit, streams, 0);
        if (r.nextInt(10) == 0) { // the agent could not start it
            byte[] text = printable(r, r.nextInt(60)).getBytes(StandardCharsets.US_ASCII);
            byte[] stderr = ("boxq: " + new String(text, StandardCharsets.US_ASCII) + "\n").getBytes(StandardCharsets.UTF_8);
            return new Answer(concat(frames, status(r.nextInt(256), text)),
                    new CommandResult(126, new byte[0], stderr, false, false, false));
        }
        int code = r.nextInt(256);
        long cpu = r.nextBoolean() ? -1 : r.nextLong(Long.MAX_VALUE);
        boolean timedOut = r.nextBoolean();
        byte[] o = streams[1].toByteArray();
        byte[] e = streams[2].toByteArray();
        return new Answer(concat(frames, exit(code, cpu, timedOut ? 1 : 0)), new CommandResult(code,
                Arrays.copyOf(o, Math.min(o.length, limit)), Arrays.copyOf(e, Math.min(e.length, limit)),
                o.length > limit, e.length > limit, timedOut, cpu < 0 ? null : cpu));
    }

    /** Output frames within the budget (limit + 1 a stream); only on {@code onlyStream} when it is not 0. */
    private static byte[] outFrames(Random r, int limit, ByteArrayOutputStream[] streams, int onlyStream) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            int s = onlyStream != 0 ? onlyStream : 1 + r.nextInt(2);
            int room = limit + 1 - streams[s].size();
            if (room == 0) {
                continue;
            }
            int size = 1 + r.nextInt(Math.min(room, r.nextInt(4) == 0 ? CHUNK : 300));
            byte[] bytes = random(r, size);
            streams[s].writeBytes(bytes);
            frames.writeBytes(out(s, bytes));
        }
        return frames.toByteArray();
    }

    /** Well-formed frames that may come before the hostile part without breaking anything. */
    private static byte[] prefix(Phase phase, Random r) {
        if ((phase != Phase.RUN && phase != Phase.READ) || r.nextBoolean()) {
            return new byte[0];
        }
        return out(1, random(r, 1 + r.nextInt(100)));
    }

    private static byte[] anyWellFormed(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> out(1 + r.nextInt(2), random(r, 1 + r.nextInt(50)));
            case 1 -> exit(r.nextInt(256), -1, 0);
            case 2 -> status(r.nextInt(256), random(r, r.nextInt(50)));
            default -> hello(VERSION, r.nextInt());
        };
    }

    private static byte[] hugeHeader(Random r) {
        byte type = TYPES[r.nextInt(TYPES.length)];
        long max = AgentWire.maxPayload(type);
        long length = switch (r.nextInt(6)) {
            case 0 -> max + 1;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> 1L << 31;
            case 3 -> (1L << 32) - 1;
            case 4 -> AgentWire.MAX_REQUEST + 1L;
            default -> max + 1 + r.nextLong((1L << 32) - max - 1);
        };
        return header(type, length);
    }

    private static int unknownType(Random r) {
        while (true) {
            int t = r.nextInt(256);
            if (t != 'H' && t != 'O' && t != 'X' && t != 'S') {
                return t;
            }
        }
    }

    /** A frame cut short: part of a header, or a whole header and part of its payload. */
    private static byte[] unfinished(Phase phase, Random r) {
        byte type = phase == Phase.RUN || phase == Phase.READ ? (byte) 'O' : TYPES[r.nextInt(TYPES.length)];
        int length = 2 + r.nextInt(AgentWire.maxPayload(type) - 1);
        byte[] whole = concat(header(type, length), random(r, length));
        if (type == 'O') {
            whole[5] = 1; // a stream the budget allows, so only the missing bytes are wrong
        }
        return Arrays.copyOf(whole, 1 + r.nextInt(whole.length - 1));
    }

    private static byte[] flood(Phase phase, Random r, int limit) {
        int stream = phase == Phase.RUN ? 1 + r.nextInt(2) : 1;
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        long sent = 0;
        while (sent <= limit + 1L + r.nextInt(3 * CHUNK)) {
            int size = 1 + r.nextInt(r.nextBoolean() ? CHUNK : 64);
            frames.writeBytes(out(stream, random(r, size)));
            sent += size;
        }
        return frames.toByteArray();
    }

    /** Frames of the right shape whose values the node must refuse. */
    private static byte[] badValue(Phase phase, Random r) {
        List<byte[]> bad = switch (phase) {
            case HELLO, IDLE -> List.of(
                    frame('H', ByteBuffer.allocate(12).putInt(5).put("v".getBytes()).putInt(1).array()),
                    frame('H', ByteBuffer.allocate(8).putInt(Integer.MIN_VALUE).putInt(1).array()),
                    frame('H', ByteBuffer.allocate(8).putInt(-1).putInt(1).array()),
                    frame('H', ByteBuffer.allocate(12).putInt(0).putInt(1).putInt(2).array()),
                    frame('H', random(r, r.nextInt(8))),
                    status(0, new byte[0]), out(1, new byte[] {'x'}), exit(0, -1, 0));
            default -> List.of(
                    exit(256, -1, 0), exit(999, -1, 0), exit(-1, -1, 0), exit(Integer.MIN_VALUE, 0, 0), exit(0, 0, 2),
                    exit(0, 0, 0xff), frame('X', random(r, 12)), frame('X', random(r, 14)), frame('X', new byte[0]),
                    out(0, new byte[] {'x'}), out(3, new byte[] {'x'}), out(7, new byte[] {'x'}), out(255, new byte[] {'x'}),
                    frame('O', new byte[] {1}), frame('O', new byte[0]), status(-1, new byte[0]), status(256, new byte[0]),
                    status(999, new byte[0]), frame('S', random(r, r.nextInt(4))), hello(VERSION, 1),
                    phase == Phase.RUN ? out(2, new byte[0]) : exit(0, -1, 0));
        };
        return concat(prefix(phase, r), bad.get(r.nextInt(bad.size())));
    }

    private static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.length == 0 ? random(r, 5) : valid.clone();
        for (int m = 1 + r.nextInt(3); m > 0; m--) {
            int at = r.nextInt(b.length);
            b = switch (r.nextInt(5)) {
                case 0 -> { b[at] ^= (byte) (1 + r.nextInt(255)); yield b; }
                case 1 -> Arrays.copyOf(b, Math.max(1, at));
                case 2 -> concat(Arrays.copyOf(b, at), random(r, 1 + r.nextInt(16)), Arrays.copyOfRange(b, at, b.length));
                case 3 -> concat(b, Arrays.copyOfRange(b, at, b.length));
                default -> {
                    if (b.length >= 4) {
                        int[] extremes = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0};
                        ByteBuffer.wrap(b).putInt(r.nextInt(b.length - 3), extremes[r.nextInt(extremes.length)]);
                    }
                    yield b;
                }
            };
        }
        return b;
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String printable(Random r, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) (0x20 + r.nextInt(0x5f)));
        }
        return s.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
