package io.boxq.executor.agent;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.FileExit;
import io.boxq.executor.agent.AgentFrameReader.Frame;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs commands through the {@code boxq-agent} of one container over its socket. The agent shares
 * its user with the commands, so it is not trusted: the deadline is kept here too (a kill at the
 * timeout, then {@link #KILL_GRACE} for the exit to come), every answer is bounded by its
 * {@link Budget}, and anything unexpected breaks the connection for good (the container is then
 * discarded, or a sandbox gets a new agent).
 *
 * <p>One request at a time (the pool and the sandbox lock guarantee it); {@link #cancelRunning},
 * {@link #alive} and {@link #close} may come from any thread.
 */
public final class AgentCommandRunner implements CommandRunner {
    /** How long a killed command may take to be reported. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** How long a reset, a file call or a stats sample may take. */
    static final Duration OP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Output of a command that ends sooner than this is only in its result: live output costs a
     * store per chunk, and most commands are done long before anyone could watch them.
     */
    static final Duration LIVE_AFTER = Duration.ofMillis(100);
    /**
     * How often a watched run's output goes to its listener after that (or sooner, once a chunk's
     * worth waits): each hand-over is a store, and a command may write a byte at a time.
     */
    static final Duration LIVE_EVERY = Duration.ofMillis(250);

    private final String containerId;
    private final AgentConnection connection;
    private final long agentPid;
    private final String workspace;
    private volatile boolean running;
    private volatile boolean closed;
    /** A kill went out during the current run (its bytes, not the run's, may be the ones left unread). */
    private volatile boolean killSent;

    /** @param workspace the directory {@link #reset()} empties (with {@code /tmp} and {@code /dev/shm}) */
    AgentCommandRunner(String containerId, AgentConnection connection, long agentPid, String workspace) {
        this.containerId = containerId;
        this.connection = connection;
        this.agentPid = agentPid;
        this.workspace = workspace;
    }

    @Override
    public CommandResult run(RunRequest request) {
        byte[] frame;
        try {
            frame = AgentWire.run(request);
        } catch (IllegalArgumentException e) { // nothing could run it: the command fails, the agent is fine
            return failedToStart(e.getMessage(), false);
        }
        long start = System.nanoTime();
        start(Budget.run(request.outputLimit()), frame);
        killSent = false;
        running = true;
        try {
            return answer(request, start);
        } catch (AgentProtocolException e) {
            // Started unless the agent died with the run request unread (it never saw the command).
            throw broken(e.getMessage(), !(connection.sentUnread() && !killSent));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelRunning();
            throw broken("interrupted while the command ran", true);
        } finally {
            running = false;
        }
    }

    private CommandResult answer(RunRequest request, long start) throws InterruptedException {
        RunOutput out = new RunOutput(request.live(), start + LIVE_AFTER.toNanos(), request.outputLimit());
        long deadline = start + request.timeout().toNanos();
        boolean timedOut = false;
        while (true) {
            Frame f = connection.next(Math.min(deadline, out.flushAt()));
            if (System.nanoTime() - deadline >= 0 && (f == null || f.type() == AgentWire.OUT)) {
                // checked on every output frame too: a stream of them must not hold the run past its deadline
                if (timedOut) {
                    throw new AgentProtocolException("the command did not end within " + KILL_GRACE + " of being killed");
                }
                cancelRunning();
                timedOut = true;
                deadline = System.nanoTime() + KILL_GRACE.toNanos();
            }
            if (f == null) {
                out.flush();
            } else if (f.type() == AgentWire.OUT) {
                out.add(f.payload());
            } else if (f.type() == AgentWire.STATUS) { // the agent could not start it (no fork, say)
                return failedToStart(AgentWire.status(f.payload()).message(), timedOut);
            } else {
                AgentWire.Exit exit = AgentWire.exit(f.payload());
                return out.result(exit, timedOut || exit.timedOut());
            }
        }
    }

    @Override
    public void reset() {
        AgentWire.Status s = request(Budget.status(), AgentWire.reset(workspace), null);
        if (s.code() != 0) {
            close();
            throw new RunnerFailedException("the workspace of " + containerId + " could not be emptied: " + s.message(),
                    false, null);
        }
    }

    @Override
    public CommandResult readFile(String workspace, String path, int maxBytes) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        AgentWire.Status s = request(Budget.read(maxBytes), AgentWire.read(workspace, path, maxBytes), content);
        byte[] bytes = content.toByteArray();
        return new CommandResult(s.code(), Arrays.copyOf(bytes, Math.min(bytes.length, maxBytes)), s.text(),
                bytes.length > maxBytes, false, false);
    }

    @Override
    public CommandResult writeFile(String workspace, String path, byte[] content) {
        byte[] frame;
        try {
            frame = AgentWire.write(workspace, path, content);
        } catch (IllegalArgumentException e) {
            return new CommandResult(FileExit.OUTSIDE, new byte[0], e.getMessage().getBytes(StandardCharsets.UTF_8), false, false, false);
        }
        AgentWire.Status s = request(Budget.status(), frame, null);
        return new CommandResult(s.code(), new byte[0], s.text(), false, false, false);
    }

    @Override
    public CommandResult stats(String workspace) {
        AgentWire.Status s = request(Budget.status(), AgentWire.stats(workspace), null);
        return new CommandResult(s.code(), s.text(), new byte[0], false, false, false);
    }

    @Override
    public void cancelRunning() {
        if (running) {
            try {
                killSent = true;
                connection.send(AgentWire.kill());
            } catch (IOException e) {
                // the connection is gone: the run notices on its own
            }
        }
    }

    @Override
    public boolean alive() {
        return !closed && connection.alive();
    }

    @Override
    public void close() {
        closed = true;
        connection.close();
    }

    public String containerId() {
        return containerId;
    }

    /** The serving agent's pid inside the container (diagnostics and tests). */
    public long agentPid() {
        return agentPid;
    }

    /** Why the connection broke, or null while it works. */
    public String failure() {
        return connection.failure();
    }

    /** Sends a request answered by a status (output, if any, goes to {@code content}) and waits for it. */
    private AgentWire.Status request(Budget budget, byte[] frame, ByteArrayOutputStream content) {
        start(budget, frame);
        long deadline = System.nanoTime() + OP_TIMEOUT.toNanos();
        try {
            while (true) {
                Frame f = connection.next(deadline);
                if (f == null) {
                    throw new AgentProtocolException("no answer within " + OP_TIMEOUT);
                }
                if (f.type() == AgentWire.STATUS) {
                    return AgentWire.status(f.payload());
                }
                content.write(f.payload(), 1, f.payload().length - 1); // the budget allowed output: content is set
            }
        } catch (AgentProtocolException e) {
            throw broken(e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw broken("interrupted while waiting for the agent", false);
        }
    }

    private void start(Budget budget, byte[] frame) {
        if (closed) {
            throw new RunnerFailedException("the agent of " + containerId + " was closed", false, null);
        }
        try {
            connection.expect(budget);
            connection.send(frame);
        } catch (AgentProtocolException | IOException e) {
            throw broken(e.getMessage(), false);
        }
    }

    private RunnerFailedException broken(String why, boolean commandStarted) {
        connection.fail(why);
        closed = true;
        return new RunnerFailedException("the agent of " + containerId + " failed: " + why, commandStarted, null);
    }

    private static CommandResult failedToStart(String why, boolean timedOut) {
        byte[] message = ("boxq: " + why + "\n").getBytes(StandardCharsets.UTF_8);
        return new CommandResult(126, new byte[0], message, false, false, timedOut);
    }
}
