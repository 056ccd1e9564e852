package io.boxq.server.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * HTTP/1.1 written byte by byte on a socket, for what java.net.http refuses to send: malformed
 * request lines and headers, raw non-ASCII and NUL bytes, conflicting lengths, broken chunking,
 * oversized URIs and headers. Each request carries {@code Connection: close} and is read to EOF.
 */
final class RawHttp {
    /** What came back: the status (0 when none) and the response's headers and body as text. */
    record Answer(int status, String contentType, String body) {}

    private RawHttp() {}

    /** A malformed request; {@code auth} is a key to send with it. */
    static byte[] malformed(Random r, String auth) {
        String a = "Authorization: Bearer " + auth + "\r\n";
        String c = "Connection: close\r\nHost: 127.0.0.1\r\n";
        String body = "{\"command\":\"echo hi\"}";
        return switch (r.nextInt(22)) {
            case 0 -> bytes("GET /v1/jobs/\u00fc\u65e5 HTTP/1.1\r\n" + c + a + "\r\n");
            case 1 -> bytes("GET /v1/jobs/a\u0000b HTTP/1.1\r\n" + c + a + "\r\n");
            case 2 -> bytes("GET /v1/jobs HTTP/1.1\r\n" + c + a + "BadHeaderWithoutColon\r\n\r\n");
            case 3 -> bytes("GET /v1/jobs HTTP/1.1\r\n" + c + a + "Bad Header: x\r\n\r\n");
            case 4 -> bytes("GET /v1/jobs HTTP/1.1\r\n" + c + "Authorization: Bearer \u00fc\u00ff\u0001\r\n\r\n");
            case 5 -> bytes("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
            case 6 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Content-Length: abc\r\n\r\n" + body);
            case 7 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Content-Length: -5\r\n\r\n" + body);
            case 8 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Content-Length: 21\r\nContent-Length: 3\r\n\r\n" + body);
            case 9 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n");
            case 10 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Transfer-Encoding: chunked\r\nContent-Length: 21\r\n\r\n"
                    + "15\r\n" + body + "\r\n0\r\n\r\n");
            case 11 -> bytes("GET * HTTP/1.1\r\n" + c + a + "\r\n");
            case 12 -> bytes("GET http://evil.example/v1/jobs HTTP/1.1\r\n" + c + a + "\r\n");
            case 13 -> bytes("GET v1/jobs HTTP/1.1\r\n" + c + a + "\r\n");
            case 14 -> bytes("GET /v1/jobs HTTP/9.9\r\n" + c + a + "\r\n");
            case 15 -> bytes("GET /v1/jobs/" + "a".repeat(20_000) + " HTTP/1.1\r\n" + c + a + "\r\n");
            case 16 -> bytes("GET /v1/jobs HTTP/1.1\r\n" + c + a + "X-Big: " + "b".repeat(40_000) + "\r\n\r\n");
            case 17 -> bytes("GET /v1/../../etc/passwd HTTP/1.1\r\n" + c + a + "\r\n");
            case 18 -> bytes("GET /v1/jobs/%2e%2e/%2e%2e/keys HTTP/1.1\r\n" + c + a + "\r\n");
            case 19 -> bytes("POST /v1/jobs HTTP/1.1\r\n" + c + a + "Content-Type: application/json\r\nContent-Length: 21\r\n"
                    + "Content-Type: text/plain\r\n\r\n" + body);
            case 20 -> bytes("BREW /v1/jobs HTTP/1.1\r\n" + c + a + "\r\n");
            default -> bytes("GET /v1/jobs HTTP/1.1\r\n" + c + a + "Authorization: Bearer second\r\n\r\n");
        };
    }

    /** The bytes of a well-formed request line, headers and body (for what java.net.http will not send). */
    static byte[] of(String method, String path, List<String[]> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (String[] h : headers) {
            head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** Sends {@code request} and reads the answer until the server closes the connection. */
    static Answer send(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server answered early and closed: read what it said
            }
            return parse(readAll(socket.getInputStream()));
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // a reset after the answer: keep what arrived
        }
        return got.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            return new Answer(0, "", text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String type = "";
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                type = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Answer(status, type, body);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
