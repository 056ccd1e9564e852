package io.boxq.executor.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The socket one container's agent dials, in that container's own host directory (mounted
 * read-only into it, so the container can reach nothing else and replace nothing there). It takes
 * exactly one connection, then is closed and unlinked: nothing in the container can connect in the
 * agent's place afterwards, and a new agent gets a new socket.
 */
final class AgentListener implements AutoCloseable {
    static final String SOCKET = "agent.sock";
    private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("agent-accept-timeouts").factory());

    private final Path socket;
    private final ServerSocketChannel server;

    private AgentListener(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
    }

    /** Binds {@code dir/agent.sock} (making the directory, root's and 0755, when missing). */
    static AgentListener open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = dir.resolve(SOCKET);
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            // the agent runs as the sandbox user: it needs write permission on the socket to connect
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new AgentListener(socket, server);
    }

    /**
     * Waits for the agent's connection, then closes the listener.
     *
     * @throws IOException when none came within {@code timeout}
     */
    SocketChannel accept(Duration timeout) throws IOException {
        ScheduledFuture<?> cutoff = TIMEOUTS.schedule(this::close, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return server.accept();
        } catch (ClosedChannelException e) {
            throw new IOException("the agent did not connect within " + timeout);
        } finally {
            cutoff.cancel(false);
            close();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the directory goes with its container
        }
    }
}
