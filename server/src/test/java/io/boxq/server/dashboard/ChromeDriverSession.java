package io.boxq.server.dashboard;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One headless Chromium driven through Debian's chromedriver over the W3C WebDriver protocol (plain
 * HTTP and JSON, no Selenium): a page stays open while the test changes the server under it, and
 * scripts run in it to read what it shows now. {@link #close()} ends the browser and the driver.
 */
final class ChromeDriverSession implements AutoCloseable {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process driver;
    private final Path log;
    private final URI base;
    private String session;

    ChromeDriverSession(Path workDir) throws IOException {
        if (!Files.isExecutable(DRIVER) || !Files.isExecutable(HeadlessChromium.BINARY)) {
            throw new AssertionError(DRIVER + " or " + HeadlessChromium.BINARY + " is missing: the dashboard test needs "
                    + "Debian's Chromium and its driver (`scripts/setup.sh --for test` installs them, or "
                    + "`apt-get install -y chromium chromium-driver`)");
        }
        int port = TestEnvironment.freePort();
        base = URI.create("http://127.0.0.1:" + port);
        log = workDir.resolve("chromedriver.log");
        driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port, "--log-path=" + log)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("chromedriver.out").toFile()).start();
        try {
            await("chromedriver ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> call("GET", "/status", null).path("ready").asBoolean());
            Path profile = Files.createTempDirectory(workDir, "profile-");
            Map<String, Object> options = Map.of("binary", HeadlessChromium.BINARY.toString(), "args", List.of(
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile));
            session = call("POST", "/session", Map.of("capabilities",
                    Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", options))))
                    .path("sessionId").asText();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** Opens {@code url} in the session's window. */
    void open(String url) {
        call("POST", "/session/" + session + "/url", Map.of("url", url));
    }

    /** Runs {@code script} (a function body: {@code return …}) in the page and gives back its value. */
    JsonNode script(String script, Object... args) {
        return call("POST", "/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of(args)));
    }

    private JsonNode call(String method, String path, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(CALL_TIMEOUT)
                    .header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = json.readTree(response.body()).path("value");
            if (response.statusCode() != 200) {
                throw new AssertionError("chromedriver " + method + " " + path + " answered " + response.statusCode()
                        + ": " + value.path("message").asText(response.body()));
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The driver's log, for a failure's message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no chromedriver log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (RuntimeException | AssertionError e) {
            // the driver goes below either way, and the browser with it
        } finally {
            session = null;
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
        }
    }
}
