package io.boxq.executor.webhook;

import io.boxq.core.webhook.AddressPolicy;
import io.boxq.core.webhook.ForbiddenAddressException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one webhook request with Apache HttpClient 5: through a {@link GuardedDnsResolver} (the
 * checked address is the address connected to), without following redirects, without retries of
 * its own, and within one deadline for the whole attempt (connect, send, the answer's head).
 * Failures are data (an {@link Outcome}), never exceptions.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    static final int RESPONSE_SNIPPET_BYTES = 512;
    private static final String USER_AGENT = "boxq-webhooks/1";

    private final CloseableHttpClient client;
    private final Duration timeout;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("boxq-webhook-deadlines").daemon().factory());

    /** What one attempt gave: the receiver's status, or why there was none. */
    public record Outcome(Integer statusCode, long latencyMs, String error, String response) {
        public boolean delivered() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }

        /** 410 Gone: the receiver asks not to be called again. */
        public boolean gone() {
            return statusCode != null && statusCode == 410;
        }
    }

    public WebhookSender(AddressPolicy policy, Duration timeout) {
        this.timeout = timeout;
        Timeout t = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new GuardedDnsResolver(policy))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(t).setSocketTimeout(t).build())
                        .setMaxConnTotal(256)
                        .setMaxConnPerRoute(32)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setResponseTimeout(t)
                        .setConnectionRequestTimeout(t)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent(USER_AGENT)
                .build();
    }

    /** POSTs {@code body} as JSON to {@code url} with {@code headers}. */
    public Outcome send(URI url, Map<String, String> headers, byte[] body) {
        HttpPost post = new HttpPost(url);
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        long start = System.nanoTime();
        ScheduledFuture<?> deadline = deadlines.schedule(post::cancel, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (ClassicHttpResponse response = client.executeOpen(null, post, null)) {
            long latency = millisSince(start);
            int code = response.getCode();
            String snippet = snippet(response.getEntity(), post);
            return new Outcome(code, latency, error(code, response), snippet);
        } catch (ForbiddenAddressException e) {
            // The address itself stays out of the delivery log, which the key's owner reads.
            log.warn("webhook to {} refused: {} ({})", url.getHost(), e.reason(), e.address().getHostAddress());
            return new Outcome(null, millisSince(start), "refused: " + e.getMessage() + ", which webhooks may not reach",
                    null);
        } catch (UnknownHostException e) {
            return new Outcome(null, millisSince(start), "the host does not resolve", null);
        } catch (IOException e) {
            return new Outcome(null, millisSince(start), failure(e, post.isCancelled()), null);
        } finally {
            deadline.cancel(false);
        }
    }

    private String failure(IOException e, boolean cancelled) {
        if (cancelled || e instanceof InterruptedIOException) {
            return "timed out after " + timeout.toSeconds() + " s";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 200 ? message.substring(0, 200) + "…" : message;
    }

    private static String error(int code, ClassicHttpResponse response) {
        if (code >= 200 && code < 300) {
            return null;
        }
        if (code >= 300 && code < 400) {
            Header location = response.getFirstHeader("Location");
            return "HTTP " + code + ": redirect not followed" + (location == null ? "" : " (to " + location.getValue() + ")");
        }
        return code == 410 ? "HTTP 410: the receiver asked to stop" : "HTTP " + code;
    }

    /**
     * The start of the answer body. A longer body is not read to its end: the request is aborted,
     * which drops the connection instead of draining it.
     */
    private static String snippet(HttpEntity entity, HttpPost post) {
        if (entity == null) {
            return null;
        }
        try (InputStream in = entity.getContent()) {
            byte[] head = in.readNBytes(RESPONSE_SNIPPET_BYTES);
            if (in.read() != -1) {
                post.cancel();
            }
            return head.length == 0 ? null : new String(head, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
