package io.boxq.executor.runner;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.boxq.core.job.CommandResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fallback path ({@code RUNNER=exec}): one {@code docker exec} per command. Simple and slow
 * (~60 ms and as much host CPU per command); the deadline is enforced from the host by killing
 * every process of the container but its keepalive.
 */
public final class ExecCommandRunner implements CommandRunner {
    static final String RESET_SCRIPT = resource("reset.sh");
    private static final long GRACE_AFTER_KILL_MS = 5_000;
    /** Bytes of stdin per staging exec: base64 of this stays well under Linux's 128 KiB per argument. */
    private static final int STDIN_CHUNK = 64 * 1024;

    private final DockerClient docker;
    private final String containerId;
    private final String workspace;
    private volatile boolean alive = true;

    public ExecCommandRunner(DockerClient docker, String containerId, String workspace) {
        this.docker = docker;
        this.containerId = containerId;
        this.workspace = workspace;
    }

    @Override
    public CommandResult run(RunRequest request) {
        CappedBuffer out = new CappedBuffer(request.outputLimit());
        CappedBuffer err = new CappedBuffer(request.outputLimit());
        List<String> argv = List.of(request.shell(), "-c", request.command());
        if (request.stdin().length > 0) {
            argv = withStdinFile(stageStdin(request.stdin()), argv);
        }
        String execId;
        try {
            execId = docker.execCreateCmd(containerId)
                    .withCmd(argv.toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withEnv(envList(request.env()))
                    .withWorkingDir(request.workdir())
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            alive = false;
            throw new RunnerFailedException("docker exec failed: " + e.getMessage(), false, e);
        }
        Frames frames = new Frames(out, err);
        docker.execStartCmd(execId).exec(frames);
        boolean timedOut;
        try {
            timedOut = !frames.awaitCompletion(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (timedOut) {
                killAll();
                frames.awaitCompletion(GRACE_AFTER_KILL_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAll();
            throw new RunnerFailedException("interrupted while the command ran", true, e);
        } finally {
            closeQuietly(frames);
        }
        if (frames.failure != null && !timedOut) {
            alive = false;
            throw new RunnerFailedException("the exec stream broke: " + frames.failure.getMessage(), true, frames.failure);
        }
        Long exit = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        int exitCode = timedOut || exit == null ? 137 : exit.intValue();
        return new CommandResult(exitCode, out.toByteArray(), err.toByteArray(), out.truncated(), err.truncated(), timedOut);
    }

    /**
     * Docker's exec API never closes an attached stdin, so a command reading it would wait for its
     * timeout. Instead the bytes go to a file in the container (in chunks small enough for an
     * environment variable), and the command reads that file as its stdin.
     */
    private String stageStdin(byte[] stdin) {
        String file = "/tmp/.boxq-stdin-" + Long.toHexString(System.nanoTime());
        for (int from = 0; from < stdin.length; from += STDIN_CHUNK) {
            byte[] chunk = java.util.Arrays.copyOfRange(stdin, from, Math.min(stdin.length, from + STDIN_CHUNK));
            execAndWait(List.of("/bin/sh", "-c", "printf %s \"$BOXQ_CHUNK\" | base64 -d >> \"$1\"", "boxq-stdin", file),
                    List.of("BOXQ_CHUNK=" + java.util.Base64.getEncoder().encodeToString(chunk)));
        }
        return file;
    }

    private static List<String> withStdinFile(String file, List<String> argv) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "exec 0<\"$1\"; rm -f \"$1\"; shift; exec \"$@\"",
                "boxq-exec", file));
        wrapped.addAll(argv);
        return wrapped;
    }

    @Override
    public void reset() {
        execScript(workspace);
    }

    @Override
    public void cancelRunning() {
        killAll();
    }

    @Override
    public boolean alive() {
        return alive;
    }

    @Override
    public void close() {
        alive = false;
    }

    private void killAll() {
        execScript("keep-files");
    }

    private void execScript(String argument) {
        execAndWait(List.of("/bin/sh", "-c", RESET_SCRIPT, "boxq-reset", argument), List.of());
    }

    private void execAndWait(List<String> argv, List<String> env) {
        try {
            String id = docker.execCreateCmd(containerId)
                    .withCmd(argv.toArray(String[]::new))
                    .withEnv(env)
                    .withAttachStdout(true)
                    .exec()
                    .getId();
            if (!docker.execStartCmd(id).exec(new ResultCallback.Adapter<>()).awaitCompletion(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("did not finish within 10 s");
            }
            Long exit = docker.inspectExecCmd(id).exec().getExitCodeLong();
            if (exit == null || exit != 0) {
                throw new IllegalStateException("exited with " + exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerFailedException("interrupted in " + argv.get(argv.size() - 1), false, e);
        } catch (RuntimeException e) {
            alive = false;
            throw new RunnerFailedException("docker exec failed: " + e.getMessage(), false, e);
        }
    }

    private static List<String> envList(Map<String, String> env) {
        List<String> list = new ArrayList<>(env.size());
        env.forEach((k, v) -> list.add(k + "=" + v));
        return list;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the stream is done with either way
        }
    }

    static String resource(String name) {
        try (InputStream in = ExecCommandRunner.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sorts the multiplexed exec stream into the two capped buffers. */
    private static final class Frames extends ResultCallback.Adapter<Frame> {
        private final CappedBuffer out;
        private final CappedBuffer err;
        private volatile Throwable failure;

        Frames(CappedBuffer out, CappedBuffer err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void onNext(Frame frame) {
            byte[] payload = frame.getPayload();
            switch (frame.getStreamType()) {
                case STDERR -> err.write(payload, 0, payload.length);
                default -> out.write(payload, 0, payload.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            super.onError(throwable);
        }
    }
}
