package io.boxq.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The clocks of a sandbox: idleness ends a ready one, not a paused one; its lifetime ends both. */
class SandboxClocksTest {
    private static final Instant CREATED = Instant.parse("2026-12-07T10:00:00Z");

    private static Sandbox sandbox(String state) {
        return new Sandbox("sbx_1", "key", "user", "node", "c1", "image", 1 << 20, Map.of(), state, CREATED, CREATED,
                Duration.ofSeconds(60), CREATED.plusSeconds(3600), CREATED.plusSeconds(7200), null);
    }

    @Test
    void a_ready_sandbox_idle_past_its_idle_timeout_expires_unless_busy() {
        Instant later = CREATED.plusSeconds(61);
        assertThat(sandbox("ready").expiredReason(later, false)).isEqualTo("idle for 60 s");
        assertThat(sandbox("ready").expiredReason(later, true)).isNull();
    }

    @Test
    void a_paused_sandbox_is_never_idle_but_its_lifetime_runs() {
        assertThat(sandbox("paused").expiredReason(CREATED.plusSeconds(3599), false)).isNull();
        assertThat(sandbox("paused").expiredReason(CREATED.plusSeconds(3600), false)).isEqualTo("lifetime ended");
    }

    @Test
    void paused_counts_as_usable_like_ready() {
        assertThat(sandbox("paused").usable()).isTrue();
        assertThat(sandbox("ready").usable()).isTrue();
        assertThat(sandbox("creating").usable()).isFalse();
        assertThat(sandbox("paused").ready()).isFalse();
    }
}
