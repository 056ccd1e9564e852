package io.boxq.executor.snapshot;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A sandbox's workspace as a tar stream, out of and into its container, through {@code docker exec}
 * of small scripts as the sandbox user (the workspace is a tmpfs, which {@code docker cp} does not
 * see; see docs/architecture.md, "Snapshots and forks"). Reading stops every other process of the
 * sandbox for the time of the copy. Nothing here holds more than a few chunks of the stream.
 */
public final class WorkspaceArchive {
    private static final String CAPTURE = resource("capture.sh");
    private static final String RESTORE = resource("restore.sh");
    private static final String CLOSE = resource("close.sh");
    /** Bytes of mode lines per exec: well under Linux's 128 KiB for one environment string. */
    private static final int MODES_CHUNK = 64 * 1024;

    private final DockerClient docker;
    private final String workspace;

    public WorkspaceArchive(DockerClient docker, String workspace) {
        this.docker = docker;
        this.workspace = workspace;
    }

    /** A workspace being read: its archive, and what the capture script said about it. */
    final class Capture implements AutoCloseable {
        private final BytePipe pipe = new BytePipe();
        private final Map<String, Integer> modes = new ConcurrentHashMap<>();
        private final List<String> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        private final StringBuilder errors = new StringBuilder();
        private String execId;
        private ResultCallback.Adapter<Frame> callback;

        InputStream archive() {
            return pipe.in;
        }

        /** The real modes of what the script opened up for the copy, by tar name. */
        Map<String, Integer> modes() {
            return Map.copyOf(modes);
        }

        List<String> sockets() {
            return List.copyOf(sockets);
        }

        private void onStderr(byte[] bytes) {
            if (errors.length() < 4096) {
                errors.append(new String(bytes, StandardCharsets.UTF_8));
            }
        }

        /** Reads the script's header (modes, sockets) up to its "B" line; the archive follows. */
        private void readHeader() throws IOException {
            while (true) {
                String l = line(pipe.in);
                if (l == null) {
                    throw new IOException("the workspace copy ended before its archive"
                            + (errors.isEmpty() ? "" : ": " + errors.toString().strip()));
                }
                if (l.equals("B")) {
                    return;
                }
                int space = l.indexOf(' ', 2);
                if (l.startsWith("M ") && space > 0) {
                    modes.put(l.substring(space + 1), Integer.parseInt(l.substring(2, space), 8));
                } else if (l.startsWith("S ")) {
                    sockets.add(l.substring(2));
                }
            }
        }

        /** Waits for the end of the script (it has closed the modes again and woken the sandbox). */
        void finish() {
            awaitExit(callback, execId, 60, "copying the workspace out", errors);
        }

        /** Cuts the copy off: tar gets a broken pipe, and the script still closes the modes and wakes the sandbox. */
        @Override
        public void close() {
            try {
                callback.close();
            } catch (IOException e) {
                // closed already
            }
            pipe.breakWith(new IOException("the workspace copy was closed"));
        }
    }

    /**
     * Starts reading the workspace of {@code containerId}: returns once the script has stopped the
     * sandbox's processes and reported the modes and sockets, with the archive to read.
     *
     * @throws UncheckedIOException when the script ends or breaks before its archive starts
     */
    Capture capture(String containerId) {
        Capture c = new Capture();
        c.execId = docker.execCreateCmd(containerId)
                .withCmd("/bin/sh", "-c", CAPTURE, "boxq-snapshot", workspace)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec()
                .getId();
        c.callback = docker.execStartCmd(c.execId).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getStreamType() == StreamType.STDERR) {
                    c.onStderr(frame.getPayload());
                    return;
                }
                try {
                    c.pipe.out.write(frame.getPayload());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                c.pipe.breakWith(new IOException("the workspace stream broke: " + t.getMessage(), t));
                super.onError(t);
            }

            @Override
            public void onComplete() {
                try {
                    c.pipe.out.close();
                } catch (IOException e) {
                    // the reader went away
                }
                super.onComplete();
            }
        });
        try {
            c.readHeader();
        } catch (IOException e) {
            c.close();
            throw new UncheckedIOException(e);
        }
        return c;
    }

    /** Writing a workspace in: an open {@code tar -x} in the container, fed through {@link #input()}. */
    final class Restore {
        private final BytePipe pipe = new BytePipe();
        private final BlockFrames frames = new BlockFrames(pipe.out);
        private final StringBuilder output = new StringBuilder();
        private final String containerId;
        private String execId;
        private ResultCallback.Adapter<Frame> callback;

        private Restore(String containerId) {
            this.containerId = containerId;
        }

        /** Where the archive goes; closing it ends the stream for {@code tar}. */
        java.io.OutputStream input() {
            return frames;
        }

        /**
         * Waits for {@code tar} to end (after the end-of-archive blocks were written to {@link #input()}),
         * then closes what {@code toClose} lists.
         */
        void finish(List<String> toClose) {
            try {
                awaitExit(callback, execId, 120, "unpacking the workspace", output);
            } catch (RuntimeException e) {
                abort(); // the exec's stream, which Docker never ends by itself
                throw e;
            } finally {
                pipe.breakWith(new IOException("done"));
            }
            closeModes(containerId, toClose);
        }

        void abort() {
            pipe.breakWith(new IOException("aborted"));
            try {
                callback.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    /** Starts {@code tar -x} into the (empty) workspace of {@code containerId}. */
    Restore restore(String containerId) {
        Restore r = new Restore(containerId);
        r.execId = docker.execCreateCmd(containerId)
                .withCmd("/bin/sh", "-c", RESTORE, "boxq-restore", workspace)
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec()
                .getId();
        r.callback = docker.execStartCmd(r.execId).withStdIn(r.pipe.in).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (r.output.length() < 4096) {
                    r.output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }
        });
        return r;
    }

    /**
     * Waits for an exec's stream to end, then for its exit code, which must be 0.
     *
     * @throws IllegalStateException saying that {@code what} failed, with what the exec said
     */
    private void awaitExit(ResultCallback.Adapter<Frame> callback, String execId, int seconds, String what,
            CharSequence said) {
        try {
            if (!callback.awaitCompletion(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Long exit = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        if (exit == null || exit != 0) {
            throw new IllegalStateException(what + " failed (exit " + exit + ")"
                    + (said.isEmpty() ? "" : ": " + said.toString().strip()));
        }
    }

    private void closeModes(String containerId, List<String> lines) {
        StringBuilder chunk = new StringBuilder();
        for (String l : lines) {
            if (chunk.length() + l.length() + 1 > MODES_CHUNK) {
                execClose(containerId, chunk.toString());
                chunk.setLength(0);
            }
            chunk.append(l).append('\n');
        }
        if (!chunk.isEmpty()) {
            execClose(containerId, chunk.toString());
        }
    }

    private void execClose(String containerId, String modes) {
        String id = docker.execCreateCmd(containerId)
                .withCmd("/bin/sh", "-c", CLOSE, "boxq-modes", workspace)
                .withEnv(List.of("BOXQ_MODES=" + modes))
                .withAttachStdout(true)
                .exec()
                .getId();
        try {
            if (!docker.execStartCmd(id).exec(new ResultCallback.Adapter<>()).awaitCompletion(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("setting the workspace's modes did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One line of ASCII from {@code in}, without its newline; null at the end. */
    private static String line(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.size() > 64 * 1024) {
                throw new IOException("a header line of the workspace copy is too long");
            }
            b.write(c);
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    private static String resource(String name) {
        try (InputStream in = WorkspaceArchive.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
