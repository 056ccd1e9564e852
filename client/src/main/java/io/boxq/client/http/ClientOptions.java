package io.boxq.client.http;

import java.time.Duration;

/**
 * How patient the client is.
 *
 * @param connectTimeout  to open a connection
 * @param requestTimeout  for one answer (a long-poll adds its wait to this)
 * @param maxRetries      retries of one request after a 429/503 with Retry-After, or a broken connection
 * @param maxRetryAfter   a Retry-After longer than this is not waited for: the error is thrown instead
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, int maxRetries, Duration maxRetryAfter) {
    public static final ClientOptions DEFAULTS =
            new ClientOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 3, Duration.ofSeconds(60));

    public ClientOptions {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more");
        }
    }
}
