package io.boxq.executor.runner;

import io.boxq.core.job.CommandResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs commands through the long-lived {@code runner.sh} attached to a container (see
 * {@link ShellProtocol}): a command costs a few forks inside the container instead of a
 * {@code docker exec}. The runner shares its user with the commands, so it is not trusted: the
 * deadline is kept here, every answer is bounded and must carry the request's nonce, and anything
 * unexpected on the stream kills the runner for good.
 *
 * <p>One {@link #run} or {@link #reset} at a time (the pool guarantees it); {@link #cancelRunning},
 * {@link #alive} and {@link #close} may come from any thread.
 */
public final class ShellCommandRunner implements CommandRunner {
    /** How long a killed command may take to be reported. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** How long the bodies of an answer may take once its header came. */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RESET_TIMEOUT = Duration.ofSeconds(30);
    /** When a streaming run is first asked for its output: a command that ends sooner costs no frame. */
    static final Duration FIRST_TICK = Duration.ofMillis(100);
    /** How often a streaming run is asked for its output after that. */
    static final Duration TICK = Duration.ofMillis(250);

    private final String containerId;
    private final ShellStream stream;
    private final ShellStdin stdin;
    private volatile String running;
    private volatile boolean closed;
    private volatile long pid;

    ShellCommandRunner(String containerId, ShellStream stream, ShellStdin stdin) {
        this.containerId = containerId;
        this.stream = stream;
        this.stdin = stdin;
    }

    /**
     * Waits for the runner's first answer.
     *
     * @throws RunnerFailedException when none came in time (the runner is closed then)
     */
    void handshake(Duration timeout) {
        String[] words = exchange("hello", "ready", 4, timeout);
        if (!words[2].equals(ShellProtocol.VERSION)) {
            throw broken(new ShellProtocolException("runner.sh speaks version " + words[2]), false);
        }
        pid = ShellProtocol.number(words[3], Integer.MAX_VALUE);
    }

    @Override
    public CommandResult run(RunRequest request) {
        String nonce = ShellProtocol.nonce();
        byte[] encoded;
        try {
            encoded = ShellProtocol.run(nonce, request);
        } catch (IllegalArgumentException e) { // no shell could take it: the command fails, the runner is fine
            return new CommandResult(126, new byte[0], ("boxq: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8),
                    false, false, false);
        }
        long start = System.nanoTime();
        LiveFrames live = request.live() == null ? null : new LiveFrames(request.live(), request.outputLimit());
        start(encoded, ShellProtocol.maxRunAnswer(request.outputLimit())
                + (live == null ? 0 : LiveFrames.budget(request.outputLimit())));
        running = nonce;
        try {
            Header h = header(nonce, start + request.timeout().toNanos(), live);
            String header = h.line();
            boolean timedOut = h.timedOut();
            String failed = nonce + " fail ";
            if (header.startsWith(failed)) { // the runner could not set the command up; it still works
                stream.finish();
                byte[] why = ("boxq: " + header.substring(failed.length()) + "\n").getBytes(StandardCharsets.UTF_8);
                return new CommandResult(126, new byte[0], why, false, false, timedOut);
            }
            return answer(nonce, header, request.outputLimit(), timedOut);
        } catch (ShellProtocolException e) {
            throw broken(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(nonce);
            throw broken(new ShellProtocolException("interrupted while the command ran"), true);
        } finally {
            running = null;
        }
    }

    /** The first line of a run's answer, and whether the command had to be killed for its timeout. */
    private record Header(String line, boolean timedOut) {}

    /**
     * Waits for the answer to a run: kills the command at {@code deadline}, and for a streaming run
     * reads the live output frames that come first and sends the ticks that ask for them.
     */
    private Header header(String nonce, long deadline, LiveFrames live) throws InterruptedException {
        long tick = System.nanoTime() + FIRST_TICK.toNanos();
        boolean timedOut = false;
        while (true) {
            boolean ticking = live != null && !timedOut && tick - deadline < 0;
            String line = stream.readLine(ShellProtocol.MAX_LINE, ticking ? tick : deadline);
            if (line != null && live != null && line.startsWith(nonce + " part ")) {
                frame(nonce, line, live);
            } else if (line != null) {
                return new Header(line, timedOut);
            } else if (ticking) {
                send(ShellProtocol.simple(nonce, "tick"));
                tick += TICK.toNanos();
            } else if (!timedOut) {
                kill(nonce);
                timedOut = true;
                deadline = System.nanoTime() + KILL_GRACE.toNanos();
            } else {
                throw new ShellProtocolException("the command did not end within " + KILL_GRACE + " of being killed");
            }
        }
    }

    /** Reads the body of a live output frame whose header was read, and hands it on. */
    private void frame(String nonce, String header, LiveFrames live) throws InterruptedException {
        int part = ShellProtocol.livePart(header, nonce);
        if (part == 0) {
            throw new ShellProtocolException("a live output frame of part 0");
        }
        byte[] terminator = ShellProtocol.terminator(nonce, part);
        byte[] bytes = stream.readUntil(terminator, live.room(part), System.nanoTime() + BODY_TIMEOUT.toNanos());
        if (bytes == null) {
            throw new ShellProtocolException("the runner stopped in the middle of a live output frame");
        }
        stream.allow(header.length() + 1L + terminator.length);
        live.accept(part, bytes);
    }

    private CommandResult answer(String nonce, String header, int limit, boolean timedOut) throws InterruptedException {
        ShellProtocol.Done done = ShellProtocol.done(header, nonce);
        long deadline = System.nanoTime() + BODY_TIMEOUT.toNanos();
        byte[] out = part(nonce, 1, limit, deadline);
        byte[] err = part(nonce, 2, limit, deadline);
        stream.finish();
        return new CommandResult(done.exitCode(), Arrays.copyOf(out, Math.min(out.length, limit)),
                Arrays.copyOf(err, Math.min(err.length, limit)), out.length > limit, err.length > limit, timedOut,
                done.cpuMicros());
    }

    private byte[] part(String nonce, int part, int limit, long deadline) throws InterruptedException {
        int max = (int) Math.min(Integer.MAX_VALUE - 64, limit + 1L);
        byte[] bytes = stream.readUntil(ShellProtocol.terminator(nonce, part), max, deadline);
        if (bytes == null) {
            throw new ShellProtocolException("the runner stopped in the middle of an answer");
        }
        return bytes;
    }

    @Override
    public void reset() {
        String status = exchange("reset", "reset", 3, RESET_TIMEOUT)[2];
        if (!status.equals("0")) {
            close();
            throw new RunnerFailedException("the workspace of " + containerId + " could not be emptied (rm said " + status + ")",
                    false, null);
        }
    }

    @Override
    public void cancelRunning() {
        String nonce = running;
        if (nonce != null) {
            kill(nonce);
        }
    }

    @Override
    public boolean alive() {
        return !closed && stream.failure() == null;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.fail("the runner was closed"); // wakes a run waiting on another thread
        stdin.close();
        try {
            stream.close(); // ends docker-java's reading thread and frees the connection
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

    /** The runner's main process id inside the container (for diagnostics and tests). */
    long pid() {
        return pid;
    }

    /** Sends a request without payload and returns the words of its one-line answer. */
    private String[] exchange(String op, String answer, int words, Duration timeout) {
        String nonce = ShellProtocol.nonce();
        start(ShellProtocol.simple(nonce, op), ShellProtocol.MAX_LINE);
        try {
            String line = stream.readLine(ShellProtocol.MAX_LINE, System.nanoTime() + timeout.toNanos());
            if (line == null) {
                throw new ShellProtocolException("no answer to '" + op + "' within " + timeout);
            }
            String[] parsed = ShellProtocol.words(line, nonce, answer, words);
            stream.finish();
            return parsed;
        } catch (ShellProtocolException e) {
            throw broken(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw broken(new ShellProtocolException("interrupted while waiting for '" + op + "'"), false);
        }
    }

    private void start(byte[] request, long answerBytes) {
        if (closed) {
            throw new RunnerFailedException("the runner of " + containerId + " was closed", false, null);
        }
        try {
            stream.expect(answerBytes);
            stdin.send(request);
        } catch (ShellProtocolException e) {
            throw broken(e, false);
        }
    }

    private void kill(String nonce) {
        send(ShellProtocol.simple(nonce, "kill"));
    }

    /** Sends a request that has no answer. */
    private void send(byte[] request) {
        try {
            stdin.send(request);
        } catch (ShellProtocolException e) {
            // the stream is gone: the run notices on its own
        }
    }

    private RunnerFailedException broken(ShellProtocolException e, boolean commandStarted) {
        stream.fail(e.getMessage());
        close();
        return new RunnerFailedException("the runner of " + containerId + " failed: " + e.getMessage(), commandStarted, e);
    }
}
