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
 * and {@code STDIN_LEN} bytes of standard input. {@code ARGS} is one line of shell code the runner
 * sources in the command's process: {@code set -- "$@" 'workdir' 'shell' 'command'; export
 * 'NAME=value'…}, every value single-quoted, newlines spliced in as {@code '"$nl"'}.
 *
 * <p>Answers (runner to host) start with a line {@code NONCE WORD …} of at most {@link #MAX_LINE}
 * bytes: {@code ready VERSION PID}, {@code reset STATUS}, {@code fail MESSAGE}, or {@code done EXIT
 * CPU_USEC} (the container's cgroup CPU time while the command ran, in microseconds, or {@code -}
 * when the runner cannot read it) followed by at most {@code LIMIT + 1} bytes of stdout,
 * {@code NONCE 1\n}, at most {@code LIMIT + 1} bytes of stderr and {@code NONCE 2\n}; a byte past
 * the limit means the stream was cut. Ending the parts with the nonce, not announcing sizes, spares
 * a process per command and cannot go out of step when a file shrinks or grows while it is sent. A kill request ({@code NONCE kill 0 0 0},
 * the nonce of the run to kill) has no answer. The nonce is fresh per request and is in nothing the
 * command is given (the runner numbers its files), so what a command prints cannot pass for (the
 * end of) an answer short of reading the runner's memory, and nothing left running can answer a
 * later request.
 *
 * <p>Live output: a run requested with the op {@code stream} instead of {@code run} sends frames
 * before its {@code done} when the host asks with a tick ({@code NONCE tick 0 0 0}, the nonce of the
 * run; no answer of its own): for each stream that grew, {@code NONCE part N\n} (1: stdout, 2:
 * stderr), the next bytes of that stream, {@code NONCE N\n}. A stream's frames follow on from each
 * other and stay within its first {@code LIMIT} bytes; the answer after {@code done} still carries
 * the whole output from its first byte. The host's clock drives it, so nothing in the container
 * waits on a timer, and a command that ends before the first tick costs no frame.
 */
final class ShellProtocol {
    /** Longest answer line the host accepts; anything longer means the stream is not ours. */
    static final int MAX_LINE = 256;
    /** Arguments longer than this go as a payload: the runner's {@code read} takes a byte per syscall. */
    static final int MAX_INLINE_ARGS = 4096;
    static final String MARKER = "boxq-runner";
    /** What {@code runner.sh} answers to {@code hello}; changes with the wire format. */
    static final String VERSION = "4";
    /** Most CPU microseconds a {@code done} answer may report (about 31 years): more is not a measurement. */
    static final long MAX_CPU_MICROS = 1_000_000_000_000_000L;
    /** What a {@code done} answer reports when the runner could not read the container's CPU time. */
    static final String UNKNOWN_CPU = "-";

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
        String op = request.live() == null ? " run " : " stream ";
        String head = nonce + op + request.outputLimit() + " " + (inline ? 0 : argBytes.length) + " " + stdin.length;
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

    /**
     * The arguments as shell code for the runner to source in the command's process. Positional
     * parameters, not variables: the env may hold any name.
     */
    static String arguments(RunRequest request) {
        StringBuilder sb = new StringBuilder("set -- \"$@\" ").append(quote(request.workdir()))
                .append(' ').append(quote(request.shell()))
                .append(' ').append(quote(request.command()));
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

    /**
     * The header of a {@code done} answer.
     *
     * @param cpuMicros the container's CPU time while the command ran, null when unknown
     */
    record Done(int exitCode, Long cpuMicros) {}

    /**
     * Reads the header of a {@code done} answer.
     *
     * @throws ShellProtocolException when it is not one, or answers another request
     */
    static Done done(String line, String nonce) {
        String[] words = words(line, nonce, "done", 4);
        int exitCode = (int) number(words[2], 255);
        Long cpu = words[3].equals(UNKNOWN_CPU) ? null : number(words[3], MAX_CPU_MICROS);
        return new Done(exitCode, cpu);
    }

    /**
     * The stream a live output frame's header names (1: stdout, 2: stderr).
     *
     * @throws ShellProtocolException when it is not such a header
     */
    static int livePart(String line, String nonce) {
        return (int) number(words(line, nonce, "part", 3)[2], 2);
    }

    /** What ends part {@code part} (1: stdout, 2: stderr) of a run answer. */
    static byte[] terminator(String nonce, int part) {
        return (nonce + " " + part + "\n").getBytes(StandardCharsets.US_ASCII);
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

    /** The most bytes a run answer may take: its header and both streams, one byte over the limit each. */
    static long maxRunAnswer(int outputLimit) {
        return 3L * MAX_LINE + 2L * (outputLimit + 1L);
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
