package io.boxq.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of the server that drops the first connection whose answer
 * carries {@code marker}, right after passing on the bytes that held it: a dropped event stream,
 * for real, mid-job.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final URI upstream;
    private final String marker;
    private final AtomicBoolean armed = new AtomicBoolean(true);
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();

    CuttingProxy(URI upstream, String marker) throws IOException {
        this.upstream = upstream;
        this.marker = marker;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket down = listener.accept();
                Socket up = new Socket(upstream.getHost(), upstream.getPort());
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> pump(down, up, false));
                Thread.ofVirtual().start(() -> pump(up, down, true));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buf = new byte[8192];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
                if (answers && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
                        && armed.compareAndSet(true, false)) {
                    cuts.incrementAndGet();
                    break;
                }
            }
        } catch (IOException e) {
            // the other side went
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
