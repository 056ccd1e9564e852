package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests per minute by tier: every answer to a key carries {@code X-RateLimit-*}; past the limit
 * it is a 429 problem with {@code Retry-After}. The window is a fixed minute, so a sequence that
 * straddles a minute boundary (seen as Reset or Remaining going up) is run again with a fresh key.
 */
class RateLimitIT {
    private static final int LIMIT = 5;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("ratelimit",
            Map.of("MAX_POOL_SIZE", "8", "TIER_FREE_REQUESTS_PER_MINUTE", Integer.toString(LIMIT)));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void remaining_counts_down_and_the_request_past_the_limit_gets_429_with_retry_after() {
        for (int attempt = 0; attempt < 2; attempt++) {
            String key = server.newKey("free");
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i <= LIMIT; i++) {
                replies.add(api.get("/v1/quota/usage", key));
            }
            if (straddlesWindows(replies)) {
                continue;
            }

            for (int i = 0; i < LIMIT; i++) {
                Reply r = replies.get(i);
                assertThat(r.status()).as("request %d: %s", i + 1, r).isEqualTo(200);
                assertThat(r.header("X-RateLimit-Limit")).isEqualTo(Integer.toString(LIMIT));
                assertThat(r.header("X-RateLimit-Remaining")).as("request %d", i + 1)
                        .isEqualTo(Integer.toString(LIMIT - 1 - i));
                assertThat(number(r, "X-RateLimit-Reset")).isBetween(1L, 60L);
            }
            Reply refused = replies.get(LIMIT);
            BoxqClient.assertProblem(refused, 429);
            assertThat(refused.header("X-RateLimit-Limit")).isEqualTo(Integer.toString(LIMIT));
            assertThat(refused.header("X-RateLimit-Remaining")).isEqualTo("0");
            assertThat(number(refused, "Retry-After")).isBetween(1L, 60L);
            assertThat(number(refused, "Retry-After")).isEqualTo(number(refused, "X-RateLimit-Reset"));

            // The limit is per key: another key of the same tier is not held back.
            Reply other = api.get("/v1/quota/usage", server.newKey("free"));
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.header("X-RateLimit-Remaining")).isEqualTo(Integer.toString(LIMIT - 1));
            return;
        }
        fail("two sequences in a row straddled a minute boundary");
    }

    /** A new window began mid-sequence: the seconds to reset, or what remains, went up. */
    private static boolean straddlesWindows(List<Reply> replies) {
        for (int i = 1; i < replies.size(); i++) {
            if (number(replies.get(i), "X-RateLimit-Reset") > number(replies.get(i - 1), "X-RateLimit-Reset")
                    || number(replies.get(i), "X-RateLimit-Remaining")
                            > number(replies.get(i - 1), "X-RateLimit-Remaining")) {
                return true;
            }
        }
        return false;
    }

    private static long number(Reply r, String header) {
        String v = r.header(header);
        assertThat(v).as("%s of %s", header, r).isNotNull();
        return Long.parseLong(v);
    }
}
