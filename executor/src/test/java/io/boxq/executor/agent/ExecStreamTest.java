package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec stream against a stand-in engine on a unix socket: the upgrade, then stdout out of the multiplexed stream. */
class ExecStreamTest {
    @TempDir
    Path dir;

    @Test
    void stdout_comes_out_of_the_multiplexed_stream_whole_and_stderr_is_dropped() throws Exception {
        byte[] answer = concat("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n".getBytes(
                StandardCharsets.US_ASCII), frame(1, "hel"), frame(2, "noise"), frame(1, "lo"), frame(1, ""));
        CompletableFuture<String> request = engine(answer);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (ExecStream s = ExecStream.start("unix://" + dir.resolve("docker.sock"), "abc123")) {
            ByteBuffer b = ByteBuffer.allocate(2); // smaller than a frame: a frame is read in pieces
            int n;
            while ((n = s.read(b.clear())) >= 0) {
                got.write(b.array(), 0, n);
            }
        }

        assertThat(got.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(request.get()).startsWith("POST /exec/abc123/start HTTP/1.1\r\n").contains("Upgrade: tcp\r\n");
    }

    @Test
    void an_engine_that_does_not_switch_protocols_is_refused_with_its_status() throws Exception {
        engine("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> ExecStream.start("unix://" + dir.resolve("docker.sock"), "gone"))
                .isInstanceOf(IOException.class).hasMessageContaining("404");
    }

    /** Listens on dir/docker.sock, answers one request with {@code answer}, returns what was asked. */
    private CompletableFuture<String> engine(byte[] answer) throws IOException {
        Path socket = dir.resolve("docker.sock");
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                String text = "";
                while (!text.contains("}")) { // the body is the last thing sent
                    c.read(in);
                    text = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                }
                c.write(ByteBuffer.wrap(answer));
                return text;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] frame(int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + p.length).put((byte) stream).put(new byte[3]).putInt(p.length).put(p).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
