package io.boxq.executor.runner;

import com.github.dockerjava.api.DockerClient;
import java.time.Duration;

/**
 * Attaches {@code runner.sh} to a container with one {@code docker exec -i} and keeps it for the
 * container's life ({@code RUNNER=shell}, DESIGN.md §5): after that a command costs a few forks in
 * the container, not a {@code docker exec} (~60 ms and as much host CPU). The exec holds one
 * connection of the Docker client's pool and two docker-java threads while the runner lives.
 */
public final class ShellRunnerFactory implements RunnerFactory {
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final String SCRIPT = ExecCommandRunner.resource("runner.sh");

    private final DockerClient docker;
    private final String workspace;
    private final Duration handshakeTimeout;

    /** @param workspace the directory {@link CommandRunner#reset()} empties (with {@code /tmp}) */
    public ShellRunnerFactory(DockerClient docker, String workspace) {
        this(docker, workspace, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    public ShellRunnerFactory(DockerClient docker, String workspace, Duration handshakeTimeout) {
        if (!workspace.startsWith("/") || workspace.length() < 2) {
            throw new IllegalArgumentException("the workspace must be an absolute path other than /: " + workspace);
        }
        this.docker = docker;
        this.workspace = workspace;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Starts the runner and waits until it answers. A container can be attached again after its
     * runner died: the new runner keeps the files.
     *
     * @throws RunnerFailedException when the exec cannot be started or the runner does not answer
     *     within the handshake timeout; nothing is left reading then
     */
    @Override
    public ShellCommandRunner attach(String containerId) {
        ShellStream stream = new ShellStream(containerId);
        ShellStdin stdin = new ShellStdin();
        ShellCommandRunner runner = new ShellCommandRunner(containerId, stream, stdin);
        try {
            String execId = docker.execCreateCmd(containerId)
                    .withCmd("/bin/sh", "-c", SCRIPT, ShellProtocol.MARKER, workspace)
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withTty(false)
                    .exec()
                    .getId();
            docker.execStartCmd(execId).withDetach(false).withTty(false).withStdIn(stdin).exec(stream);
        } catch (RuntimeException e) {
            runner.close();
            throw new RunnerFailedException("cannot start the runner in " + containerId + ": " + e.getMessage(), false, e);
        }
        runner.handshake(handshakeTimeout);
        return runner;
    }
}
