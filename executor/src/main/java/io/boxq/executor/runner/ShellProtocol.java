package io.boxq.executor.runner;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The wire format between the host and {@code runner.sh}, kept apart from the I/O so it can be
 * tested alone.
 *
 * <p>Requests (host to runner, one write each): a line {@code NONCE OP LIMIT ARGS_LEN STDIN_LEN
 * [ARGS]} followed by {@code ARGS_LEN} bytes of arguments (when they are too long to go inline)
 * and {@code STDIN_LEN} bytes of standard input. {@code ARGS} is a line of shell assignments the
 * runner sources in the command's process: {@code w='workdir' s='shell' c='command'; export
 * 'NAME=value'…}, every value single-quoted, newlines spliced in as {@code '"$nl"'}.
 *
 * <p>Answers (runner to host) start with a line {@code NONCE WORD …} of at most {@link #MAX_LINE}
 * bytes: {@code ready 1 PID}, {@code reset STATUS}, {@code fail MESSAGE}, or {@code done EXIT
 * OUT_SIZE ERR_SIZE} followed by {@code min(OUT_SIZE, LIMIT)} bytes of stdout, {@code min(ERR_SIZE,
 * LIMIT)} bytes of stderr and a line {@code NONCE end}. A kill request ({@code NONCE kill 0 0 0},
 * the nonce of the run to kill) has no answer. The nonce is fresh per request, so nothing a
 * command prints can pass for the answer to a later request.
 */
final class ShellProtocol {
    /** Longest answer line the host accepts; anything longer means the stream is not ours. */
    static final int MAX_LINE = 256;
    /** Arguments longer than this go as a payload: the runner's {@code read} takes a byte per syscall. */
    static final int MAX_INLINE_ARGS = 4096;
    static final String MARKER = "boxq-runner";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NEWLINE_SPLICE = "'\"$nl\"'";

    private ShellProtocol() {}

    /** 16 hex digits from a secure random source. */
    static String nonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] simple(String nonce, String op) {
        return (nonce + " " + op + " 0 0 0\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Encodes a run request.
     *
     * @throws IllegalArgumentException when a string holds a NUL byte (no shell can take it) or an
     *     environment name is not a shell identifier
     */
    static byte[] run(String nonce, RunRequest request) {
        String args = arguments(request);
        byte[] argBytes = args.getBytes(StandardCharsets.UTF_8);
        byte[] stdin = request.stdin();
        boolean inline = argBytes.length <= MAX_INLINE_ARGS;
        String head = nonce + " run " + request.outputLimit() + " " + (inline ? 0 : argBytes.length) + " " + stdin.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + argBytes.length + stdin.length + 2);
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        if (inline) {
            out.write(' ');
            out.writeBytes(argBytes);
            out.write('\n');
        } else {
            out.write('\n');
            out.writeBytes(argBytes);
        }
        out.writeBytes(stdin);
        return out.toByteArray();
    }

    static String arguments(RunRequest request) {
        StringBuilder sb = new StringBuilder("w=").append(quote(request.workdir()))
                .append(" s=").append(quote(request.shell()))
                .append(" c=").append(quote(request.command()));
        if (!request.env().isEmpty()) {
            sb.append("; export");
            for (Map.Entry<String, String> e : request.env().entrySet()) {
                if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("not a valid environment variable name: " + e.getKey());
                }
                sb.append(' ').append(quote(e.getKey() + "=" + e.getValue()));
            }
        }
        return sb.toString();
    }

    /** Single-quotes a value for the runner's shell; the result holds no newline. */
    static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL byte cannot be passed to a shell");
        }
        return "'" + value.replace("'", "'\\''").replace("\n", NEWLINE_SPLICE) + "'";
    }

    /** The words of an answer line, after checking that it answers the request with {@code nonce}. */
    static String[] words(String line, String nonce, String word, int count) {
        String[] words = line.split(" ", count);
        if (words.length < 2 || !words[0].equals(nonce)) {
            throw new ShellProtocolException("expected an answer to request " + nonce + ", got: " + printable(line));
        }
        if (!words[1].equals(word) || words.length != count) {
            throw new ShellProtocolException("expected '" + word + "' from the runner, got: " + printable(line));
        }
        return words;
    }

    /** The header of a {@code done} answer. */
    record Done(int exitCode, long stdoutSize, long stderrSize) {}

    static Done done(String line, String nonce) {
        String[] w = words(line, nonce, "done", 5);
        return new Done((int) number(w[2], 255), number(w[3], Long.MAX_VALUE), number(w[4], Long.MAX_VALUE));
    }

    static long number(String digits, long max) {
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new ShellProtocolException("not a number in the runner's answer: " + printable(digits));
        }
        long value = Long.parseLong(digits);
        if (value > max) {
            throw new ShellProtocolException("number out of range in the runner's answer: " + digits);
        }
        return value;
    }

    /** The most bytes a run answer may take: two lines and both capped streams. */
    static long maxRunAnswer(int outputLimit) {
        return 2L * MAX_LINE + 2L * outputLimit;
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
