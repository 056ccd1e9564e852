package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.client.errors.RateLimitedException;
import io.boxq.client.http.ClientOptions;
import io.boxq.client.jobs.Job;
import io.boxq.client.keys.KeyRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code 429} from the live server's rate limit is waited out: its {@code Retry-After} is the rest
 * of the minute's window (up to 60 s), so this class runs beside the others (junit-platform.properties).
 */
@ExtendWith(LiveServer.class)
class RateLimitRetryIT {

    @Test
    void a_rate_limited_submit_is_sent_again_after_retry_after() {
        String key = LiveServer.newKey(KeyRequest.of(LiveServer.user(), "pro").withRequestsPerMinute(1));
        BoxqClient impatient = BoxqClient.create(LiveServer.url(), key,
                new ClientOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 0, Duration.ofSeconds(60)));
        BoxqClient patient = BoxqClient.create(LiveServer.url(), key,
                new ClientOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(61)));

        // One request per minute: of three in a row, at least two share a window, so one is refused.
        RateLimitedException limited = null;
        for (int i = 0; i < 3 && limited == null; i++) {
            try {
                impatient.keys().quotaUsage();
            } catch (RateLimitedException e) {
                limited = e;
            }
        }
        assertThat(limited).as("a 429 within three requests").isNotNull();
        assertThat(limited.retryAfter()).hasValueSatisfying(d -> assertThat(d).isPositive());

        Job job = patient.jobs().submit("echo late");
        assertThat(job.id()).startsWith("job_");
    }
}
