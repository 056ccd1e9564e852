package io.boxq.server;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected from outside boxq: a {@code docker exec} of its own into a node's container (past
 * the runner, as the container's user), and the processes of a node's containers as the engine
 * sees them ({@code docker top}).
 */
public final class ContainerShell {
    /**
     * Prints the pid of every serving agent ({@code boxq-agent serve}); the keepalive
     * ({@code boxq-agent init}) is not one. The pattern is bracketed so that this script's own
     * command line does not match it.
     */
    private static final String AGENT_PROCESSES = "for d in /proc/[0-9]*; do "
            + "c=$(tr '\\0' ' ' <\"$d/cmdline\" 2>/dev/null) || continue; "
            + "case $c in *\\ serv[e]\\ *) ;; *) continue ;; esac; "
            + "echo \"${d#/proc/}\"; done";

    private ContainerShell() {}

    /** Runs {@code script} under {@code /bin/sh -c} in the container and returns its stdout. */
    public static String exec(String containerId, String script) {
        try (DockerClient docker = TestEnvironment.docker()) {
            String exec = docker.execCreateCmd(containerId).withCmd("/bin/sh", "-c", script)
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean ended = docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    if (frame.getStreamType() == StreamType.STDOUT) {
                        out.writeBytes(frame.getPayload());
                    }
                }
            }).awaitCompletion(30, TimeUnit.SECONDS);
            if (!ended) {
                throw new AssertionError("docker exec in " + containerId + " did not end within 30 s: " + script);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * SIGKILLs the serving agent in the container. The container, its keepalive ({@code boxq-agent
     * init}) and its files stay.
     *
     * @return the pid killed, as the container sees it
     */
    public static long killRunner(String containerId) {
        return signalRunner(containerId, "KILL");
    }

    /** Sends {@code signal} (a name: {@code STOP}, {@code KILL}) to the container's serving agent; returns its pid. */
    public static long signalRunner(String containerId, String signal) {
        List<Long> agents = exec(containerId, AGENT_PROCESSES).lines().map(String::trim).map(Long::parseLong).toList();
        if (agents.size() != 1) {
            throw new AssertionError("expected one serving agent in " + containerId + ", found " + agents);
        }
        long pid = agents.getFirst();
        exec(containerId, "kill -" + signal + " " + pid);
        return pid;
    }

    /** The container of {@code workerId} running a process whose command line contains {@code text}. */
    public static Optional<String> containerRunning(String workerId, String text) {
        try (DockerClient docker = TestEnvironment.docker()) {
            for (Container c : TestEnvironment.containersOf(workerId)) {
                if (processes(docker, c.getId()).stream().anyMatch(p -> p.contains(text))) {
                    return Optional.of(c.getId());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command lines running in the container (none when it is not running). */
    public static List<String> processes(String containerId) {
        try (DockerClient docker = TestEnvironment.docker()) {
            return processes(docker, containerId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> processes(DockerClient docker, String containerId) {
        try {
            String[][] ps = docker.topContainerCmd(containerId).exec().getProcesses();
            return ps == null ? List.of() : Arrays.stream(ps).map(p -> String.join(" ", p)).toList();
        } catch (DockerException e) {
            return List.of(); // not running (being removed): runs nothing
        }
    }
}
