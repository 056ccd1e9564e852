package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;

/**
 * What the ITs that take running jobs' containers away (a kill, an engine restart) check
 * afterwards: the job allowed one attempt ends {@code error}; the one allowed two runs again in a
 * new container and succeeds.
 */
final class LostJobs {
    private LostJobs() {}

    /** @param once a job of {@code echo once} with one attempt; {@code twice} of {@code echo twice} with two */
    static void assertOneLostAndOneRetried(BoxqClient http, String key, String once, String twice) {
        JsonNode lost = http.awaitEnd(key, once);
        assertThat(lost.path("state").asText()).as(lost.toString()).isEqualTo("error");
        assertThat(lost.path("error").asText()).isNotBlank();
        JsonNode again = http.awaitEnd(key, twice);
        assertThat(again.path("state").asText()).as(again.toString()).isEqualTo("succeeded");
        assertThat(again.path("stdout").asText()).isEqualTo("twice\n");
        assertThat(again.path("attempt").asInt()).as("ran again in a new container").isEqualTo(2);
    }
}
