package io.boxq.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.boxq.client.http.ClientOptions;
import io.boxq.client.http.Transport;
import io.boxq.client.jobs.Jobs;
import io.boxq.client.keys.Admin;
import io.boxq.client.keys.Keys;
import io.boxq.client.sandboxes.Sandboxes;
import io.boxq.client.sandboxes.Snapshots;
import java.net.URI;

/**
 * The boxq client: one per server and key, safe to share between threads.
 *
 * <pre>{@code
 * BoxqClient boxq = BoxqClient.create("http://localhost:8080", System.getenv("BOXQ_API_KEY"));
 * System.out.print(boxq.jobs().run("echo hi").stdout());
 * }</pre>
 *
 * Errors are {@link io.boxq.client.errors.ProblemException}s typed by status; {@code 429} and
 * {@code 503} answers with {@code Retry-After} are retried (see {@link ClientOptions}).
 */
public final class BoxqClient {
    private final Jobs jobs;
    private final Sandboxes sandboxes;
    private final Snapshots snapshots;
    private final Keys keys;
    private final Admin admin;

    private BoxqClient(Transport transport) {
        this.jobs = new Jobs(transport);
        this.sandboxes = new Sandboxes(transport, jobs);
        this.snapshots = new Snapshots(transport);
        this.keys = new Keys(transport);
        this.admin = new Admin(transport);
    }

    public static BoxqClient create(String baseUrl, String apiKey) {
        return create(baseUrl, apiKey, ClientOptions.DEFAULTS);
    }

    public static BoxqClient create(String baseUrl, String apiKey, ClientOptions options) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return new BoxqClient(new Transport(URI.create(base), apiKey, options, mapper()));
    }

    public Jobs jobs() {
        return jobs;
    }

    public Sandboxes sandboxes() {
        return sandboxes;
    }

    /** The key's snapshots of sandbox workspaces (taken with {@link io.boxq.client.sandboxes.Sandbox#snapshot()}). */
    public Snapshots snapshots() {
        return snapshots;
    }

    /** Keys (admin), and the caller's own quota usage and webhook secret. */
    public Keys keys() {
        return keys;
    }

    /** System stats, overview, cleanup and audit (admin). */
    public Admin admin() {
        return admin;
    }

    /** The JSON mapping of the wire: snake_case names, ISO instants, unknown fields ignored, nulls left out. */
    static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
