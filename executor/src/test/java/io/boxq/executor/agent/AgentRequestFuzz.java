package io.boxq.executor.agent;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded request frames for the real agent's parser: well-formed requests of every type (harmless
 * ones: {@code sh -c true}, files in the workspace), then cut short, padded, flipped, given string
 * lengths past the payload or env counts past any memory, or typed as nothing the agent knows. The
 * frame's own length always matches what is sent, except for the few {@link #oversized} headers
 * (past the agent's 64 MiB ceiling) that are sent alone.
 */
record AgentRequestFuzz(int index, byte type, byte[] payload, long declaredLength, String how) {
    static final byte[] TYPES = {'R', 'K', 'Z', 'F', 'W', 'T'};

    /** Past the agent's ceiling: it must hang up on it before reading (or allocating) a byte of it. */
    boolean oversized() {
        return declaredLength > AgentWire.MAX_REQUEST;
    }

    /** What to write: the header, and the payload unless the header alone is the case. */
    byte[] bytes() {
        byte[] head = FakeAgentSockets.header(type, declaredLength);
        return oversized() ? head : FakeAgentSockets.concat(head, payload);
    }

    @Override
    public String toString() {
        return "request " + index + " (" + (char) type + ", " + how + ", " + payload.length + " bytes)";
    }

    static AgentRequestFuzz make(int index, Random r) {
        if (index % 70 == 50) {
            long[] huge = {AgentWire.MAX_REQUEST + 1L, 1L << 31, (1L << 32) - 1};
            return new AgentRequestFuzz(index, TYPES[r.nextInt(TYPES.length)], new byte[0], huge[index / 70 % 3], "oversized");
        }
        byte type = TYPES[r.nextInt(TYPES.length)];
        Encoder e = well(type, r);
        byte[] p = e.bytes();
        List<String> how = new ArrayList<>();
        for (int m = r.nextInt(4); m > 0; m--) {
            int kind = r.nextInt(8);
            if (kind == 0 && p.length > 0) {
                p = Arrays.copyOf(p, r.nextInt(p.length));
                how.add("truncated");
            } else if (kind == 1) {
                p = FakeAgentSockets.concat(p, FuzzCase.random(r, 1 + r.nextInt(20)));
                how.add("padded");
            } else if (kind == 2 && p.length > 0) {
                p[r.nextInt(p.length)] ^= (byte) (1 + r.nextInt(255));
                how.add("flipped");
            } else if ((kind == 3 || kind == 4) && !e.lengths.isEmpty()) {
                int at = e.lengths.get(r.nextInt(e.lengths.size()));
                long[] lies = {0xffffffffL, 0x7fffffffL, 0x80000000L, p.length, p.length - at - 3L, 0x3fffffffL};
                if (at + 4 <= p.length) {
                    ByteBuffer.wrap(p).putInt(at, (int) lies[r.nextInt(lies.length)]);
                    how.add("a length that lies");
                }
            } else if (kind == 5) {
                type = (byte) r.nextInt(256);
                how.add("type " + (type & 0xff));
            } else if (kind == 6) {
                p = FuzzCase.random(r, r.nextInt(200));
                how.add("random payload");
            } else if (kind == 7 && e.envCount >= 0 && e.envCount + 4 <= p.length) {
                ByteBuffer.wrap(p).putInt(e.envCount, new int[] {-1, 0x3fffffff, 0x10000000, p.length}[r.nextInt(4)]);
                how.add("an env count past the payload");
            }
        }
        return new AgentRequestFuzz(index, type, p, p.length, how.isEmpty() ? "well-formed" : String.join(", ", how));
    }

    /** A well-formed request of {@code type}: one nothing in the container minds. */
    private static Encoder well(byte type, Random r) {
        Encoder e = new Encoder();
        switch (type) {
            case 'R' -> {
                e.u32(2000).u32(1000).str("sh").str(r.nextBoolean() ? "true" : "echo fuzz; echo err >&2").str("/workspace");
                int env = r.nextInt(3);
                e.envCount = e.out.size();
                e.u32(env);
                for (int i = 0; i < env; i++) {
                    e.str("V" + i + "=x");
                }
                e.str(r.nextBoolean() ? "" : "stdin");
            }
            case 'Z', 'T' -> e.str("/workspace");
            case 'F' -> e.str("/workspace").str("f" + r.nextInt(3)).u32(100);
            case 'W' -> e.str("/workspace").str("f" + r.nextInt(3)).str("data");
            default -> { } // K: no payload
        }
        return e;
    }

    /** Builds a payload and remembers where its length fields are. */
    private static final class Encoder {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> lengths = new ArrayList<>();
        int envCount = -1;

        Encoder u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
            return this;
        }

        Encoder str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            lengths.add(out.size());
            return u32(b.length).bytes(b);
        }

        Encoder bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
