package io.boxq.server.reliability;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Request bodies for {@link HostileRequests}: random and malformed JSON, deep, huge, odd numbers and bytes. */
final class HostileBodies {
    private static final String[] FIELDS = {"command", "sandbox_id", "image", "env", "workdir", "stdin", "timeout_s",
        "callback_url", "metadata", "max_attempts", "ttl_s", "idle_timeout_s", "network", "user", "tier", "name",
        "webhook_url", "max_sandboxes", "memory_mb", "concurrent_jobs", "requests_per_minute", "__proto__", "",
        "ünï", "a\u0000b"};
    private static final String[] NUMBERS = {"1e400", "-1e400", "1e-400", "-1", "0", "-0", "0.5", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "2147483648", "1" + "0".repeat(2_000), "3", "30", "1.0"};
    private static final String[] STRINGS = {"", "\\u0000", "a\\u0000b", "\\ud800", "\\udfff\\ud800", "💩", "\\u202e",
        "日本語", "../../etc/passwd", "/workspace", "boxq-sandbox:busybox", "http://169.254.169.254/", "free", "pro",
        "echo hi", "true", "none", "https://example.com/hook", "sbx_000000000000", "\\n\\r\\t", "%00", "<script>"};
    private static final String[] MALFORMED = {"{", "}", "{\"command\":}", "{\"command\" \"x\"}", "{} x", "[]", "null",
        "\"just a string\"", "NaN", "{\"command\":NaN}", "{'command':'x'}", "{\"command\":\"x\",}", "\uFEFF{\"command\":\"x\"}",
        "{\"command\":\"x\"}{\"command\":\"y\"}", "{\"command\":\"a\",\"command\":\"b\"}", "{\"a\":1e}", "tru", "{\"\\uZZZZ\":1}"};

    private HostileBodies() {}

    static byte[] body(Random r, String route) {
        return switch (r.nextInt(20)) {
            case 0 -> deep(r.nextBoolean() ? "[" : "{\"a\":", r.nextBoolean() ? "]" : "}", 1000);
            case 1 -> deep("{\"env\":", "}", 40);
            case 2 -> ("{\"command\":\"" + "x".repeat(1 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
            case 3 -> r.nextInt(4) == 0 ? tenMegabytes(r) : HostileRequests.pick(r, MALFORMED).getBytes(StandardCharsets.UTF_8);
            case 4 -> HostileRequests.pick(r, MALFORMED).getBytes(StandardCharsets.UTF_8);
            case 5 -> invalidUtf8(r);
            case 6 -> "{\"command\":\"echo hi\"}".getBytes(StandardCharsets.UTF_16);
            case 7 -> new byte[0];
            case 8 -> route.endsWith("files") ? "hello".getBytes(StandardCharsets.UTF_8) : json(r);
            default -> json(r);
        };
    }

    /** A random JSON object of known and unknown fields with values of every type. */
    static byte[] json(Random r) {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('"').append(HostileRequests.pick(r, FIELDS).replace("\u0000", "\\u0000")).append("\":");
            value(r, b, 0);
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(Random r, StringBuilder b, int depth) {
        switch (depth > 3 ? r.nextInt(4) : r.nextInt(7)) {
            case 0 -> b.append(HostileRequests.pick(r, NUMBERS));
            case 1 -> b.append('"').append(HostileRequests.pick(r, STRINGS)).append('"');
            case 2 -> b.append(HostileRequests.pick(r, new String[] {"true", "false", "null"}));
            case 3 -> b.append('"').append("s".repeat(r.nextInt(2) == 0 ? 70_000 : 300)).append('"');
            case 4 -> {
                b.append('[');
                value(r, b, depth + 1);
                b.append(",");
                value(r, b, depth + 1);
                b.append(']');
            }
            default -> {
                b.append("{\"").append(HostileRequests.pick(r, new String[] {"A", "k", "1bad", "x y", "PATH"}))
                        .append("\":");
                value(r, b, depth + 1);
                b.append('}');
            }
        }
    }

    private static byte[] deep(String open, String close, int levels) {
        return (open.repeat(levels) + "1" + close.repeat(levels)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tenMegabytes(Random r) {
        byte[] b = new byte[10 << 20];
        if (r.nextBoolean()) {
            java.util.Arrays.fill(b, (byte) 'x');
            byte[] head = "{\"command\":\"".getBytes(StandardCharsets.UTF_8);
            System.arraycopy(head, 0, b, 0, head.length);
            b[b.length - 2] = '"';
            b[b.length - 1] = '}';
        } else {
            r.nextBytes(b);
        }
        return b;
    }

    private static byte[] invalidUtf8(Random r) {
        byte[] junk = new byte[16 + r.nextInt(64)];
        r.nextBytes(junk);
        byte[] head = "{\"command\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[head.length + junk.length + 2];
        System.arraycopy(head, 0, b, 0, head.length);
        System.arraycopy(junk, 0, b, head.length, junk.length);
        b[b.length - 2] = '"';
        b[b.length - 1] = '}';
        return b;
    }
}
