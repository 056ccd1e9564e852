package io.boxq.executor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.core.config.PoolConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping without Docker: what it hands out, what it counts, and when it refuses. */
class PoolLedgerTest {
    static final int MAX = 5;
    static final Shape SMALL = new Shape("boxq-sandbox:busybox", 64L << 20, "none");
    static final Shape LARGE = new Shape("boxq-sandbox:bookworm", 256L << 20, "none");

    final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final Set<PooledContainer> dead = new HashSet<>();
    final PoolLedger ledger = new PoolLedger(new PoolConfig(2, 1, MAX, false, Duration.ofMinutes(5)), clock,
            c -> !dead.contains(c));
    int made;

    PooledContainer started(Shape shape) {
        return new PooledContainer("c" + made++, shape, null, clock.instant());
    }

    /** Acquires for {@code key}, starting a container when the ledger grants room. */
    PooledContainer lease(String key, Shape shape) {
        Grant g = ledger.acquire(key, shape, Duration.ZERO);
        if (!g.mustStart()) {
            return g.container();
        }
        if (g.victim() != null) {
            ledger.victimRemoved();
        }
        PooledContainer c = started(shape);
        assertThat(ledger.admit(c, Destination.leasedTo(key))).isTrue();
        return c;
    }

    @Test
    void a_key_gets_back_its_own_idle_container() {
        PooledContainer first = lease("k1", SMALL);
        ledger.release(first);

        assertThat(lease("k1", SMALL)).isSameAs(first);
        assertThat(lease("k2", SMALL)).isNotSameAs(first);
        ledger.verify();
    }

    @Test
    void a_full_pool_reclaims_the_least_recently_used_idle_container_before_starting_another() {
        for (int i = 0; i < MAX; i++) {
            PooledContainer c = lease("k" + i, SMALL);
            clock.advance(Duration.ofSeconds(1));
            ledger.release(c);
        }
        Grant g = ledger.acquire("new", LARGE, Duration.ZERO);

        assertThat(g.mustStart()).isTrue();
        assertThat(g.victim().id()).isEqualTo("c0");
        assertThat(ledger.removing()).isEqualTo(1);
        ledger.victimRemoved();
        assertThat(ledger.removing()).isZero();
        assertThat(ledger.starting()).isEqualTo(1);
        ledger.verify();
    }

    @Test
    void a_pool_of_busy_containers_refuses_once_the_wait_is_over() {
        for (int i = 0; i < MAX; i++) {
            lease("k" + i, SMALL);
        }
        assertThatThrownBy(() -> ledger.acquire("k9", SMALL, Duration.ZERO)).isInstanceOf(PoolExhaustedException.class);
        assertThatThrownBy(() -> ledger.pin(SMALL)).isInstanceOf(PoolExhaustedException.class);
        ledger.verify();
    }

    @Test
    void a_waiting_job_gets_the_container_another_job_gives_back() throws Exception {
        PooledContainer mine = lease("k0", SMALL);
        for (int i = 1; i < MAX; i++) {
            lease("k" + i, SMALL);
        }
        var waiting = CompletableFuture.supplyAsync(() -> ledger.acquire("k0", SMALL, Duration.ofMinutes(1)));
        ledger.release(mine);

        assertThat(waiting.get(1, TimeUnit.MINUTES).container()).isSameAs(mine);
    }

    @Test
    void a_sandbox_container_is_not_a_job_place() {
        Grant g = ledger.pin(SMALL);
        ledger.admit(started(SMALL), Destination.SANDBOX);

        assertThat(g.mustStart()).isTrue();
        assertThat(ledger.jobCapacity()).isEqualTo(MAX - 1);
        assertThat(ledger.stats().sandboxes()).isEqualTo(1);
    }

    @Test
    void a_report_of_a_removal_or_start_that_was_not_granted_is_refused_so_no_counter_goes_negative() {
        assertThatThrownBy(ledger::removed).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ledger::startFailed).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ledger::victimRemoved).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ledger.admit(started(SMALL), Destination.UNCLAIMED))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ledger.starting()).isZero();
        assertThat(ledger.removing()).isZero();
    }

    @Test
    void a_container_admitted_twice_is_refused_so_none_is_counted_twice() {
        PooledContainer c = lease("k1", SMALL);
        ledger.acquire("k2", SMALL, Duration.ZERO);

        assertThatThrownBy(() -> ledger.admit(c, Destination.UNCLAIMED)).isInstanceOf(IllegalStateException.class);
        ledger.verify();
    }

    @Test
    void a_container_let_go_at_shutdown_is_not_let_go_again_by_its_job_or_sandbox() {
        PooledContainer job = lease("k1", SMALL);
        ledger.pin(SMALL);
        PooledContainer sandbox = started(SMALL);
        ledger.admit(sandbox, Destination.SANDBOX);

        assertThat(ledger.close()).containsExactlyInAnyOrder(job, sandbox);
        assertThat(ledger.letGo(job)).isFalse();
        assertThat(ledger.letGo(sandbox)).isFalse();
        assertThat(ledger.release(job)).isFalse();
        assertThat(ledger.removing()).isEqualTo(2);
        ledger.verify();
    }

    @Test
    void a_warm_up_started_after_shutdown_is_removed_and_counted_once() {
        assertThat(ledger.planWarmUps(SMALL)).hasSize(2);
        ledger.close();

        assertThat(ledger.admit(started(SMALL), Destination.UNCLAIMED)).isFalse();
        assertThat(ledger.starting()).isEqualTo(1);
        assertThat(ledger.removing()).isEqualTo(1);
        ledger.verify();
    }

    @Test
    void dead_waiting_containers_are_let_go_and_no_longer_counted_as_available() {
        PooledContainer c = lease("k1", SMALL);
        ledger.release(c);
        dead.add(c);

        assertThat(ledger.stats().allocated()).isZero();
        assertThat(ledger.dropDead()).containsExactly(c);
        assertThat(ledger.removing()).isEqualTo(1);
    }

    @Test
    void shrink_lets_go_of_idle_leases_past_the_idle_timeout() {
        PooledContainer c = lease("k1", SMALL);
        ledger.release(c);
        assertThat(ledger.planShrink()).isEmpty();

        clock.advance(Duration.ofMinutes(6));
        assertThat(ledger.planShrink()).containsExactly(c);
        ledger.verify();
    }

    @Test
    void verify_names_a_negative_counter_and_an_overfull_pool() {
        HeldContainers held = new HeldContainers();
        assertThatThrownBy(() -> held.verify(-1, 0, MAX)).hasMessageContaining("negative");
        assertThatThrownBy(() -> held.verify(3, 3, MAX)).hasMessageContaining("over the maximum");
    }
}
