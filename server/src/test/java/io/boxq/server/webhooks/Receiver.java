package io.boxq.server.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

/**
 * A webhook receiver on 127.0.0.1 (the JDK's HttpServer) that records every request and answers
 * the n-th one (0-based) with the status its script gives: {@link #HANG} never answers, 302
 * redirects to {@code /elsewhere} on the same receiver.
 */
final class Receiver implements AutoCloseable {
    static final int HANG = -1;

    /** One request as it arrived; header names are lower case. */
    record Request(String path, Map<String, String> headers, byte[] body, Instant at) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile IntUnaryOperator script;

    Receiver(IntUnaryOperator script) {
        this.script = script;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers every request with {@code status}. */
    static Receiver answering(int status) {
        return new Receiver(i -> status);
    }

    /** Changes the answers of the requests still to come. */
    void answer(IntUnaryOperator next) {
        this.script = next;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = exchange.getRequestHeaders().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT), e -> String.join(",", e.getValue()),
                        (a, b) -> a));
        int index;
        synchronized (requests) {
            index = requests.size();
            requests.add(new Request(exchange.getRequestURI().getPath(), headers, body, Instant.now()));
        }
        int status = script.applyAsInt(index);
        if (status == HANG) {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (status >= 300 && status < 400) {
            exchange.getResponseHeaders().add("Location", url("/elsewhere"));
        }
        if (status == 204) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            byte[] answer = ("answer " + index).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
        exchange.close();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
