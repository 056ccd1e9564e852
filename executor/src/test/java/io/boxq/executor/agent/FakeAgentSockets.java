package io.boxq.executor.agent;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Real unix socket pairs without Docker, for tests that play the agent against the node's side:
 * one listening socket in a temp directory, and per {@link #pair()} the node's end (what an
 * {@link AgentConnection} reads) and the agent's end (what the test writes hostile bytes into).
 * Also builds the frames an agent sends, well-formed or not.
 */
final class FakeAgentSockets implements AutoCloseable {
    /** The two ends of one connection. */
    record Pair(SocketChannel node, SocketChannel agent) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (node; agent) {
                // both closed, even when one throws
            }
        }
    }

    private final UnixDomainSocketAddress address;
    private final ServerSocketChannel server;

    FakeAgentSockets(Path dir) throws IOException {
        address = UnixDomainSocketAddress.of(dir.resolve("fake-agent.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(address, 64);
    }

    /** A new connection (connect and accept under one lock, so concurrent callers get their own pair). */
    synchronized Pair pair() throws IOException {
        SocketChannel agent = SocketChannel.open(address);
        return new Pair(server.accept(), agent);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    static byte[] header(int type, long length) {
        return ByteBuffer.allocate(5).put((byte) type).putInt((int) length).array();
    }

    static byte[] frame(int type, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).put((byte) type).putInt(payload.length).put(payload).array();
    }

    static byte[] hello(String version, int pid) {
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        return frame('H', ByteBuffer.allocate(8 + v.length).putInt(v.length).put(v).putInt(pid).array());
    }

    static byte[] out(int stream, byte[] bytes) {
        return frame('O', ByteBuffer.allocate(1 + bytes.length).put((byte) stream).put(bytes).array());
    }

    static byte[] exit(int code, long cpuMicros, int flags) {
        return frame('X', ByteBuffer.allocate(13).putInt(code).putLong(cpuMicros).put((byte) flags).array());
    }

    static byte[] status(int code, byte[] text) {
        return frame('S', ByteBuffer.allocate(4 + text.length).putInt(code).put(text).array());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** Writes all of {@code bytes} (blocking while the node does not read). */
    static void write(SocketChannel s, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            s.write(b);
        }
    }

    /** Reads one request frame of the node's whole; returns its type. */
    static byte readRequest(SocketChannel s) throws IOException {
        ByteBuffer head = fill(s, ByteBuffer.allocate(5));
        byte type = head.get(0);
        fill(s, ByteBuffer.allocate(head.getInt(1)));
        return type;
    }

    private static ByteBuffer fill(SocketChannel s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (s.read(b) < 0) {
                throw new EOFException("the node closed the connection");
            }
        }
        return b;
    }
}
