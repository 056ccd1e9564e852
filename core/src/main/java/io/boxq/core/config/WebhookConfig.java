package io.boxq.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Webhook callbacks (docs/architecture.md, "Webhooks"): how much output a body carries, which addresses may be called,
 * the retry schedule, the timeout, and how long a rotated secret stays valid.
 *
 * @param maxOutputBytes stdout and stderr are each cut to this many bytes in a webhook body
 * @param allowPrivate true to allow loopback, private and link-local receivers (development only)
 * @param allowlist host names (lower case) that may resolve to any address
 * @param retrySchedule the delay before each attempt, in order: the first is 0 (the first attempt is
 *     made when the job ends), and the delivery has failed after the last one
 * @param timeout the whole of one attempt: connect, send, and the response's head
 * @param secretRotationWindow how long the previous {@code whsec_} secret still signs after a rotation
 * @param dispatchInterval how often each node looks for due deliveries
 */
public record WebhookConfig(
        int maxOutputBytes,
        boolean allowPrivate,
        List<String> allowlist,
        List<Duration> retrySchedule,
        Duration timeout,
        Duration secretRotationWindow,
        Duration dispatchInterval) {

    public static final int DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
    public static final String DEFAULT_RETRY_SCHEDULE = "0,5,300,1800,7200,18000,36000,86400";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ROTATION_WINDOW = Duration.ofHours(24);
    public static final int MAX_ATTEMPTS = 20;

    public WebhookConfig {
        allowlist = List.copyOf(allowlist);
        retrySchedule = List.copyOf(retrySchedule);
        if (retrySchedule.isEmpty() || retrySchedule.size() > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("the retry schedule needs 1 to " + MAX_ATTEMPTS + " entries");
        }
    }

    /** The defaults, as an unset environment gives them. */
    public static WebhookConfig defaults() {
        return fromEnv(new EnvReader(java.util.Map.of()));
    }

    static WebhookConfig fromEnv(EnvReader r) {
        return new WebhookConfig(
                r.integer("WEBHOOK_MAX_OUTPUT_BYTES", DEFAULT_MAX_OUTPUT_BYTES, 0, 16 << 20),
                r.bool("WEBHOOK_ALLOW_PRIVATE", false),
                hosts(r.string("WEBHOOK_ALLOWLIST", "")),
                schedule(r),
                r.seconds("WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT, 60),
                r.seconds("WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS", DEFAULT_ROTATION_WINDOW, 30L * 86_400),
                r.seconds("WEBHOOK_DISPATCH_INTERVAL_SECONDS", Duration.ofSeconds(1), 3600));
    }

    private static List<Duration> schedule(EnvReader r) {
        String raw = r.string("WEBHOOK_RETRY_SCHEDULE_SECONDS", DEFAULT_RETRY_SCHEDULE);
        List<Duration> delays = new ArrayList<>();
        for (String part : raw.split(",")) {
            try {
                long seconds = Long.parseLong(part.trim());
                if (seconds < 0 || seconds > 7 * 86_400) {
                    throw new NumberFormatException();
                }
                delays.add(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                delays.clear();
                break;
            }
        }
        if (delays.isEmpty() || delays.size() > MAX_ATTEMPTS || !delays.get(0).isZero()) {
            r.problem("WEBHOOK_RETRY_SCHEDULE_SECONDS=" + raw + " must be 1 to " + MAX_ATTEMPTS
                    + " comma-separated delays in seconds, each from 0 to 604800, starting with 0"
                    + " (the first attempt is made when the job ends)");
            return schedule(new EnvReader(java.util.Map.of()));
        }
        return delays;
    }

    private static List<String> hosts(String value) {
        return Arrays.stream(value.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .map(s -> s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
