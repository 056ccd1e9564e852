package io.boxq.executor.docker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Unix socket in front of the real Docker engine's, for faults the engine will not make on
 * request: it passes every request through, and can lose the answer to one (the engine did the
 * work; the client hears the connection close) or stop answering altogether (the engine away).
 */
final class DockerSocketProxy implements AutoCloseable {
    private final Path socket;
    private final UnixDomainSocketAddress engine;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile String loseAnswerTo;
    private volatile boolean away;
    private volatile boolean thenAway;

    /** @param engineSocket the real engine's socket */
    DockerSocketProxy(Path engineSocket) throws IOException {
        this.engine = UnixDomainSocketAddress.of(engineSocket);
        this.socket = Files.createTempDirectory("boxq-docker-proxy").resolve("docker.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(this::accept);
    }

    /** Its address, for {@code DOCKER_HOST}. */
    String host() {
        return "unix://" + socket;
    }

    /**
     * The next request whose first line holds {@code pathPart} reaches the engine, and its answer
     * is dropped: the connection closes under the client instead.
     *
     * @param thenAway whether the engine is {@linkplain #away away} from that moment on
     */
    void loseAnswerTo(String pathPart, boolean thenAway) {
        this.thenAway = thenAway;
        loseAnswerTo = pathPart;
    }

    /** While away, every connection (open or new) is closed at once, as if the engine had stopped. */
    void away(boolean away) {
        this.away = away;
        if (away) {
            open.forEach(DockerSocketProxy::closeQuietly);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(DockerSocketProxy::closeQuietly);
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.getParent());
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel client = server.accept();
                if (away) {
                    closeQuietly(client);
                    continue;
                }
                SocketChannel upstream = SocketChannel.open(engine);
                open.add(client);
                open.add(upstream);
                AtomicBoolean dropAnswer = new AtomicBoolean();
                Thread.ofVirtual().start(() -> pump(client, upstream, dropAnswer, true));
                Thread.ofVirtual().start(() -> pump(upstream, client, dropAnswer, false));
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Copies one direction; the request side marks a connection whose next answer is to be lost. */
    private void pump(SocketChannel from, SocketChannel to, AtomicBoolean dropAnswer, boolean requests) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                if (requests) {
                    String target = loseAnswerTo;
                    if (target != null && firstLine(buffer).contains(target)) {
                        loseAnswerTo = null;
                        dropAnswer.set(true); // before the engine can answer
                    }
                } else {
                    if (dropAnswer.get()) {
                        away = away || thenAway; // before the client hears of it
                        break;
                    }
                }
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // the other side went
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static String firstLine(ByteBuffer buffer) {
        int n = Math.min(buffer.remaining(), 512);
        byte[] head = new byte[n];
        buffer.get(buffer.position(), head);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n");
        return end < 0 ? text : text.substring(0, end);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
