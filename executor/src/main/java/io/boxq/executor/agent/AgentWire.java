package io.boxq.executor.agent;

import io.boxq.executor.runner.RunRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The frames between the node and {@code boxq-agent}, kept apart from the I/O so they can be tested
 * alone. The opening comment of {@code boxq-agent.c} describes the format; in short, a frame is a
 * type byte, a big-endian u32 payload length and the payload, and a string is a u32 length and its
 * bytes. The agent shares its user with the commands, so nothing it sends is trusted: every answer
 * is checked against the ceiling of its type here, and against the budget of its request in
 * {@link AgentConnection}.
 */
final class AgentWire {
    /** The protocol this node speaks; the agent's hello starts with it, then its build. */
    static final String PROTOCOL = "boxq-agent/1";
    /** Most output bytes in one {@code O} frame (the agent reads its pipes in blocks of this). */
    static final int CHUNK = 65536;
    /** Largest request the agent takes; more is refused here before it is sent. */
    static final int MAX_REQUEST = 64 << 20;

    static final byte HELLO = 'H';
    static final byte OUT = 'O';
    static final byte EXIT = 'X';
    static final byte STATUS = 'S';

    static final byte RUN = 'R';
    static final byte KILL = 'K';
    static final byte RESET = 'Z';
    static final byte READ = 'F';
    static final byte WRITE = 'W';
    static final byte STATS = 'T';

    private AgentWire() {}

    /**
     * The largest payload an answer of {@code type} may have, or -1 when the agent never sends that
     * type (the stream is not the agent's then).
     */
    static int maxPayload(byte type) {
        return switch (type) {
            case HELLO -> 4 + 128 + 4;
            case OUT -> 1 + CHUNK;
            case EXIT -> 13;
            case STATUS -> 4 + 4096;
            default -> -1;
        };
    }

    static byte[] run(RunRequest r) {
        Encoder e = new Encoder(RUN)
                .u32(clampMillis(r.timeout().toMillis()))
                .u32(r.outputLimit())
                .str(text(r.shell()))
                .str(text(r.command()))
                .str(text(r.workdir()))
                .u32(r.env().size());
        for (Map.Entry<String, String> v : r.env().entrySet()) {
            if (!v.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("not a valid environment variable name: " + v.getKey());
            }
            e.str(text(v.getKey() + "=" + v.getValue()));
        }
        return e.str(r.stdin()).frame();
    }

    static byte[] kill() {
        return new Encoder(KILL).frame();
    }

    static byte[] reset(String workspace) {
        return new Encoder(RESET).str(text(workspace)).frame();
    }

    static byte[] read(String workspace, String path, int maxBytes) {
        return new Encoder(READ).str(text(workspace)).str(text(path)).u32(maxBytes).frame();
    }

    static byte[] write(String workspace, String path, byte[] content) {
        return new Encoder(WRITE).str(text(workspace)).str(text(path)).str(content).frame();
    }

    static byte[] stats(String workspace) {
        return new Encoder(STATS).str(text(workspace)).frame();
    }

    /** How a command ended, as the agent tells it. */
    record Exit(int code, Long cpuMicros, boolean timedOut) {}

    /** The end of a request that is not a run (or of a run the agent could not start). */
    record Status(int code, byte[] text) {
        String message() {
            return new String(text, StandardCharsets.UTF_8);
        }
    }

    /** What the agent says first: its version (protocol and build) and its pid in the container. */
    record Hello(String version, long pid) {}

    static Exit exit(byte[] payload) {
        ByteBuffer b = exactly(payload, 13, "exit");
        int code = b.getInt();
        long cpu = b.getLong();
        int flags = b.get();
        if (code < 0 || code > 255 || flags < 0 || flags > 1) {
            throw new AgentProtocolException("an exit frame out of range: code " + code + ", flags " + flags);
        }
        return new Exit(code, cpu < 0 ? null : cpu, flags == 1);
    }

    static Status status(byte[] payload) {
        if (payload.length < 4) {
            throw new AgentProtocolException("a status frame of " + payload.length + " bytes");
        }
        int code = ByteBuffer.wrap(payload).getInt();
        if (code < 0 || code > 255) {
            throw new AgentProtocolException("a status out of range: " + code);
        }
        byte[] text = new byte[payload.length - 4];
        System.arraycopy(payload, 4, text, 0, text.length);
        return new Status(code, text);
    }

    static Hello hello(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        if (payload.length < 8) {
            throw new AgentProtocolException("a hello of " + payload.length + " bytes");
        }
        int len = b.getInt();
        if (len < 0 || len != payload.length - 8) {
            throw new AgentProtocolException("a hello whose version length is " + len);
        }
        byte[] version = new byte[len];
        b.get(version);
        return new Hello(printable(new String(version, StandardCharsets.UTF_8)), Integer.toUnsignedLong(b.getInt()));
    }

    /** The stream of an output frame (1 stdout, 2 stderr), checked. */
    static int stream(byte[] payload) {
        if (payload.length < 2 || (payload[0] != 1 && payload[0] != 2)) {
            throw new AgentProtocolException("an output frame without a stream or bytes");
        }
        return payload[0];
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static ByteBuffer exactly(byte[] payload, int length, String what) {
        if (payload.length != length) {
            throw new AgentProtocolException("an " + what + " frame of " + payload.length + " bytes");
        }
        return ByteBuffer.wrap(payload);
    }

    private static int clampMillis(long millis) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, millis));
    }

    /** UTF-8 of a string the agent hands to C: a NUL would cut it short, so none is allowed. */
    private static byte[] text(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL byte cannot be passed to a command");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Builds one request frame; refuses one larger than the agent takes. */
    private static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        Encoder(byte type) {
            out.write(type);
            out.writeBytes(new byte[4]); // the length, filled in by frame()
        }

        Encoder u32(long v) {
            out.write((int) (v >>> 24));
            out.write((int) (v >>> 16));
            out.write((int) (v >>> 8));
            out.write((int) v);
            return this;
        }

        Encoder str(byte[] bytes) {
            u32(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        byte[] frame() {
            byte[] f = out.toByteArray();
            int payload = f.length - 5;
            if (payload > MAX_REQUEST) {
                throw new IllegalArgumentException("the request is " + payload + " bytes; the agent takes at most "
                        + MAX_REQUEST);
            }
            ByteBuffer.wrap(f, 1, 4).putInt(payload);
            return f;
        }
    }
}
