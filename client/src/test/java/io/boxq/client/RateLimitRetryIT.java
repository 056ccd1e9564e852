package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

        impatient.keys().quotaUsage(); // the window's one request
        assertThatThrownBy(() -> impatient.jobs().submit("echo late"))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isPositive()));

        Job job = patient.jobs().submit("echo late");
        assertThat(job.id()).startsWith("job_");
    }
}
