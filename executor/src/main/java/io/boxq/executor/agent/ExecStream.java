package io.boxq.executor.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The stdin and stdout of one {@code docker exec -i} as a byte channel: the agent's transport in a
 * runtime whose sandbox cannot reach a host socket (gVisor; docs/architecture.md, "The agent").
 * The exec is started with a raw HTTP upgrade on a connection of its own to the engine, not through
 * docker-java: reading it then costs one virtual thread and no pooled connection. Writes go to the
 * exec's stdin as they are; reads return its stdout, taken out of the engine's multiplexed stream
 * (8-byte headers: stream, three zeros, a big-endian u32 length); stderr is read and dropped.
 */
final class ExecStream implements ByteChannel {
    private static final int STDOUT = 1;
    private final SocketChannel socket;
    /** What was read from the engine and not yet handed out; in read mode. */
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteBuffer header = ByteBuffer.allocate(8);
    private int frameLeft;
    private boolean frameIsStdout;

    private ExecStream(SocketChannel socket, ByteBuffer rest) {
        this.socket = socket;
        in.put(rest).flip();
    }

    /**
     * Starts exec {@code execId} (created with stdin and stdout attached) and returns its streams.
     *
     * @param dockerHost {@code unix:///path} or {@code tcp://host:port} (TLS is not supported here)
     */
    static ExecStream start(String dockerHost, String execId) throws IOException {
        SocketChannel socket = connect(dockerHost);
        try {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\n"
                    + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(request.length() + body.length);
            out.put(request.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            while (out.hasRemaining()) {
                socket.write(out);
            }
            return new ExecStream(socket, readResponseHead(socket));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static SocketChannel connect(String dockerHost) throws IOException {
        URI uri = URI.create(dockerHost);
        SocketAddress address = switch (uri.getScheme()) {
            case "unix" -> UnixDomainSocketAddress.of(uri.getPath());
            case "tcp" -> new InetSocketAddress(uri.getHost(), uri.getPort());
            default -> throw new IOException("cannot reach the Docker engine at " + dockerHost + " for the agent's stream");
        };
        SocketChannel socket = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        socket.connect(address);
        return socket;
    }

    /** Reads the response's head (at most 8 KiB), which must switch protocols; returns what followed it. */
    private static ByteBuffer readResponseHead(SocketChannel socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (buf.hasRemaining()) {
            if (socket.read(buf) < 0) {
                break;
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String status = text.substring(0, text.indexOf("\r\n"));
                if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
                    throw new IOException("the engine refused the agent's stream: " + status);
                }
                return ByteBuffer.wrap(buf.array(), end + 4, buf.position() - end - 4);
            }
        }
        throw new IOException("the engine's answer to the agent's stream ended or ran long");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            if (frameLeft == 0) {
                if (!fill(header)) {
                    return -1;
                }
                header.flip();
                frameIsStdout = header.get(0) == STDOUT;
                frameLeft = header.getInt(4);
                header.clear();
                continue;
            }
            if (!in.hasRemaining() && !refill()) {
                return -1;
            }
            int n = Math.min(frameLeft, in.remaining());
            if (!frameIsStdout) {
                in.position(in.position() + n); // stderr: the agent writes none; dropped
                frameLeft -= n;
                continue;
            }
            n = Math.min(n, dst.remaining());
            ByteBuffer slice = in.slice(in.position(), n);
            dst.put(slice);
            in.position(in.position() + n);
            frameLeft -= n;
            return n;
        }
    }

    /** Fills {@code b} whole from the stream; false at its end. */
    private boolean fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (!in.hasRemaining() && !refill()) {
                return false;
            }
            int n = Math.min(b.remaining(), in.remaining());
            b.put(in.slice(in.position(), n));
            in.position(in.position() + n);
        }
        return true;
    }

    private boolean refill() throws IOException {
        in.clear();
        int n = socket.read(in);
        in.flip();
        return n > 0;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
