package io.boxq.executor.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import io.boxq.executor.agent.AgentFrameReader.Frame;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunnerFactory;
import io.boxq.executor.runner.RunnerFailedException;
import io.boxq.executor.runner.RunnerPlacement;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runners on {@code boxq-agent} (docs/architecture.md, "The agent"). Every container gets the
 * binary mounted read-only at {@link #AGENT_IN_CONTAINER} and a directory of its own,
 * {@code <socket root>/<token>}, mounted read-only at {@link #RUN_IN_CONTAINER}, where this node
 * listens before the container starts; the container's main command is {@code boxq-agent init},
 * which keeps the container alive and starts the agent that dials in. When that agent dies, one
 * {@code docker exec} of {@code boxq-agent serve} brings a new one into the same container.
 *
 * <p>In a runtime whose sandbox cannot reach a host socket (gVisor: {@link #dialsOut}), the container's
 * command is {@code boxq-agent init -}, which only keeps it alive, and the agent is a
 * {@code docker exec -i boxq-agent serve -} that speaks the same frames over its stdin and stdout
 * ({@link ExecStream}); the container is labelled {@link #STDIO_LABEL}.
 */
public final class AgentRunnerFactory implements RunnerFactory {
    private static final Logger log = LoggerFactory.getLogger(AgentRunnerFactory.class);
    public static final String AGENT_IN_CONTAINER = "/.boxq/agent";
    public static final String RUN_IN_CONTAINER = "/.boxq/run";
    static final String SOCKET_IN_CONTAINER = RUN_IN_CONTAINER + "/" + AgentListener.SOCKET;
    /** The label naming a container's socket directory (its token). */
    public static final String LABEL = "boxq.agent";
    /** The label of a container whose agent speaks over a {@code docker exec} stream. */
    public static final String STDIO_LABEL = "boxq.agent.stdio";
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DockerClient docker;
    private final String dockerHost;
    private final AgentBinary binary;
    private final AgentDirectories dirs;
    private final String workspace;
    private final Duration handshake;
    /** Socket directory tokens of the containers this factory attached, by container id. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    /** The containers of {@link #STDIO_LABEL} this factory attached. */
    private final java.util.Set<String> stdio = ConcurrentHashMap.newKeySet();

    /**
     * @param socketRoot this node's directory of per-container socket directories
     * @param workspace the directory a reset empties
     */
    public AgentRunnerFactory(DockerClient docker, AgentBinary binary, Path socketRoot, String workspace, Duration handshake) {
        this(docker, "unix:///var/run/docker.sock", binary, socketRoot, workspace, handshake);
    }

    /** @param dockerHost where {@code docker} talks to, for the exec streams of {@link #STDIO_LABEL} containers */
    public AgentRunnerFactory(DockerClient docker, String dockerHost, AgentBinary binary, Path socketRoot, String workspace,
            Duration handshake) {
        this.docker = docker;
        this.dockerHost = dockerHost;
        this.binary = binary;
        this.dirs = new AgentDirectories(socketRoot);
        this.workspace = workspace;
        this.handshake = handshake;
    }

    /** The socket root of node {@code node} under {@code AGENT_DIR}. */
    public static Path socketRoot(Path agentDir, String node) {
        return AgentDirectories.rootOf(agentDir, node);
    }

    /**
     * Whether an agent in {@code runtime} can dial a host unix socket through its bind mount: under
     * runc (or the engine's default) it can; gVisor refuses that unless runsc runs with
     * {@code --host-uds}, which boxq does not ask of an engine, so every other runtime gets the
     * exec stream.
     */
    public static boolean dialsOut(String runtime) {
        return ContainerSpec.runc(runtime);
    }

    @Override
    public RunnerPlacement place(String runtime) {
        if (!dialsOut(runtime)) {
            return new RunnerPlacement(List.of(AGENT_IN_CONTAINER, "init", "-"),
                    Map.of(binary.path().toString(), AGENT_IN_CONTAINER), Map.of(STDIO_LABEL, "true"), new Stdio());
        }
        return place();
    }

    @Override
    public RunnerPlacement place() {
        String token = HexFormat.of().formatHex(nonce());
        Path dir = dirs.forToken(token);
        try {
            AgentListener listener = AgentListener.open(dir);
            return new RunnerPlacement(List.of(AGENT_IN_CONTAINER, "init", SOCKET_IN_CONTAINER),
                    Map.of(binary.path().toString(), AGENT_IN_CONTAINER, dir.toString(), RUN_IN_CONTAINER),
                    Map.of(LABEL, token), new Pending(token, listener));
        } catch (IOException | RuntimeException e) {
            AgentDirectories.deleteDir(dir);
            throw new RunnerFailedException("cannot listen for an agent in " + dir + ": " + e.getMessage(), false, e);
        }
    }

    @Override
    public CommandRunner attach(String containerId, RunnerPlacement placement) {
        if (placement.pending() instanceof Stdio) {
            stdio.add(containerId);
            return serveOverExec(containerId);
        }
        Pending pending = (Pending) placement.pending();
        tokens.put(containerId, pending.token());
        return connect(containerId, pending.listener());
    }

    @Override
    public CommandRunner reattach(String containerId) {
        if (stdio.contains(containerId) || "true".equals(label(containerId, STDIO_LABEL))) {
            stdio.add(containerId);
            return serveOverExec(containerId);
        }
        String token = tokens.computeIfAbsent(containerId, this::labelledToken);
        if (token == null) {
            throw new RunnerFailedException("container " + containerId + " has no agent directory on this node", false, null);
        }
        AgentListener listener;
        try {
            listener = AgentListener.open(dirs.forToken(token));
        } catch (IOException e) {
            throw new RunnerFailedException("cannot listen for an agent of " + containerId + ": " + e.getMessage(), false, e);
        }
        try {
            String exec = docker.execCreateCmd(containerId)
                    .withCmd(AGENT_IN_CONTAINER, "serve", SOCKET_IN_CONTAINER)
                    .exec()
                    .getId();
            docker.execStartCmd(exec).withDetach(true).exec(new ResultCallback.Adapter<>()).awaitCompletion();
        } catch (RuntimeException e) {
            listener.close();
            throw new RunnerFailedException("cannot start an agent in " + containerId + ": " + e.getMessage(), false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listener.close();
            throw new RunnerFailedException("interrupted while starting an agent in " + containerId, false, e);
        }
        return connect(containerId, listener);
    }

    @Override
    public void release(RunnerPlacement placement) {
        if (placement.pending() instanceof Pending p) {
            p.listener().close();
            dirs.delete(p.token());
        }
    }

    @Override
    public void removed(String containerId) {
        stdio.remove(containerId);
        String token = tokens.remove(containerId);
        if (token != null) {
            dirs.delete(token);
        }
    }

    /**
     * Removes the socket directories, under every node's root, of containers that no longer exist on
     * this engine (a crashed node's included: other nodes remove its containers, this its
     * directories), and node roots left empty; a directory of a container being created is left.
     */
    @Override
    public int sweep() {
        java.util.Set<String> live = new java.util.HashSet<>(tokens.values());
        try {
            docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL)).exec()
                    .forEach(c -> live.add(c.getLabels().get(LABEL)));
        } catch (RuntimeException e) {
            log.warn("cannot list containers to sweep agent directories: {}", e.getMessage());
            return 0;
        }
        return dirs.sweep(live);
    }

    /** Removes this node's socket root once its containers (and so their directories) are gone. */
    @Override
    public void close() {
        dirs.close();
    }

    /**
     * Starts {@code boxq-agent serve - MEMORY} with one {@code docker exec -i} and speaks over its stdin
     * and stdout; the memory limit is for its stats, since no cgroup shows it inside gVisor.
     */
    private AgentCommandRunner serveOverExec(String containerId) {
        ExecStream stream;
        try {
            Long memory = docker.inspectContainerCmd(containerId).exec().getHostConfig().getMemory();
            String exec = docker.execCreateCmd(containerId)
                    .withCmd(AGENT_IN_CONTAINER, "serve", "-", Long.toString(memory == null ? 0 : memory))
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
            stream = ExecStream.start(dockerHost, exec);
        } catch (IOException | RuntimeException e) {
            throw new RunnerFailedException("cannot start an agent in " + containerId + ": " + e.getMessage(), false, e);
        }
        return handshake(containerId, stream);
    }

    /** Waits for the agent's call, then for its hello, which must name this node's build. */
    private AgentCommandRunner connect(String containerId, AgentListener listener) {
        SocketChannel channel;
        try {
            channel = listener.accept(handshake);
        } catch (IOException e) {
            throw new RunnerFailedException("no agent in " + containerId + ": " + e.getMessage(), false, e);
        }
        return handshake(containerId, channel);
    }

    private AgentCommandRunner handshake(String containerId, java.nio.channels.ByteChannel channel) {
        AgentConnection connection = new AgentConnection(channel, containerId.substring(0, Math.min(12, containerId.length())),
                Budget.hello());
        try {
            Frame f = connection.next(System.nanoTime() + handshake.toNanos());
            if (f == null) {
                throw new AgentProtocolException("no hello within " + handshake);
            }
            AgentWire.Hello hello = AgentWire.hello(f.payload());
            if (!hello.version().equals(binary.version())) {
                throw new AgentProtocolException("the agent is '" + hello.version() + "', this node runs '"
                        + binary.version() + "'");
            }
            return new AgentCommandRunner(containerId, connection, hello.pid(), workspace);
        } catch (AgentProtocolException e) {
            connection.fail(e.getMessage());
            throw new RunnerFailedException("the agent of " + containerId + " failed its handshake: " + e.getMessage(),
                    false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.close();
            throw new RunnerFailedException("interrupted during the handshake with " + containerId, false, e);
        }
    }

    /** The token a container was labelled with at its creation (for one this factory did not attach). */
    private String labelledToken(String containerId) {
        String token = label(containerId, LABEL);
        return token != null && token.matches("[0-9a-f]{16}") ? token : null;
    }

    private String label(String containerId, String name) {
        try {
            Map<String, String> labels = docker.inspectContainerCmd(containerId).exec().getConfig().getLabels();
            return labels == null ? null : labels.get(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] nonce() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private record Pending(String token, AgentListener listener) {}

    /** A container whose agent the node starts over an exec stream once it runs. */
    private record Stdio() {}
}
