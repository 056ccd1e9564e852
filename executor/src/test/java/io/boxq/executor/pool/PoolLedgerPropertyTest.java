package io.boxq.executor.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.config.PoolConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of everything the pool does, played against the ledger with a fixed seed. The
 * test plays the Docker side itself: it keeps the starts and removals the ledger asked for and
 * the containers out with jobs and sandboxes, finishes them in random order, and after every step
 * checks that the ledger's counts match its own, that nothing is counted twice or below zero, and
 * that the maximum holds. At the end everything is closed and finished, and nothing may be left.
 */
class PoolLedgerPropertyTest {
    static final int MAX = 6;
    static final int STEPS = 3_000;
    static final List<Shape> SHAPES = List.of(PoolLedgerTest.SMALL, PoolLedgerTest.LARGE);

    final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final Set<PooledContainer> dead = new HashSet<>();
    final PoolLedger ledger = new PoolLedger(new PoolConfig(2, 1, MAX, false, Duration.ofMinutes(5)), clock,
            c -> !dead.contains(c));

    /** Starts granted but not yet reported; reclaimed containers whose removal must come first. */
    final List<Destination> starts = new ArrayList<>();
    final List<Destination> afterVictim = new ArrayList<>();
    int removals;
    final List<PooledContainer> withJobs = new ArrayList<>();
    final List<PooledContainer> sandboxes = new ArrayList<>();
    final List<PooledContainer> everMade = new ArrayList<>();
    Random random;

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20261207})
    void the_ledger_keeps_its_invariants_under_random_operations(long seed) {
        random = new Random(seed);
        for (int step = 0; step < STEPS; step++) {
            if (step == STEPS - STEPS / 10) {
                removals += ledger.close().size();
                for (PooledContainer c : concat(withJobs, sandboxes)) {
                    assertThat(ledger.release(c)).as("released after shutdown: removed by the shutdown").isFalse();
                    assertThat(ledger.letGo(c)).as("let go after shutdown: removed by the shutdown").isFalse();
                }
                withJobs.clear();
                sandboxes.clear();
            }
            int op = random.nextInt(11);
            step(op);
            check("step " + step + " (op " + op + ", seed " + seed + ")");
        }
        int[] windDown = {2, 3, 4, 5, 6};
        while (!starts.isEmpty() || !afterVictim.isEmpty() || removals > 0 || !withJobs.isEmpty()
                || !sandboxes.isEmpty()) {
            step(windDown[random.nextInt(windDown.length)]);
            check("winding down");
        }
        assertThat(ledger.total()).as("everything left after close and the last removal").isZero();
    }

    void step(int op) {
        Shape shape = SHAPES.get(random.nextInt(SHAPES.size()));
        String key = "k" + random.nextInt(3);
        switch (op) {
            case 0 -> granted(ledger::acquire, key, shape, Destination.leasedTo(key), withJobs);
            case 1 -> granted((k, s, w) -> ledger.pin(s), key, shape, Destination.SANDBOX, sandboxes);
            case 2 -> finishStart(shape);
            case 3 -> {
                if (!afterVictim.isEmpty()) {
                    ledger.victimRemoved();
                    starts.add(afterVictim.removeFirst());
                }
            }
            case 4 -> {
                PooledContainer c = pick(withJobs);
                if (c != null && ledger.release(c)) {
                    removals++;
                }
            }
            case 5 -> {
                if (removals > 0) {
                    ledger.removed();
                    removals--;
                }
            }
            case 6 -> {
                List<PooledContainer> out = random.nextBoolean() ? withJobs : sandboxes;
                PooledContainer c = pick(out);
                if (c != null && ledger.letGo(c)) {
                    removals++;
                }
            }
            case 7 -> {
                PooledContainer c = pick(everMade);
                if (c != null) {
                    dead.add(c);
                }
            }
            case 8 -> {
                List<PooledContainer> gone = ledger.dropDead();
                assertThat(gone).as("dead ones taken from jobs or sandboxes")
                        .noneMatch(c -> withJobs.contains(c) || sandboxes.contains(c));
                removals += gone.size();
            }
            case 9 -> ledger.planWarmUps(shape).forEach(s -> starts.add(Destination.UNCLAIMED));
            default -> {
                clock.advance(Duration.ofMinutes(random.nextInt(4)));
                removals += ledger.planShrink().size();
            }
        }
    }

    interface Hand {
        Grant out(String key, Shape shape, Duration wait);
    }

    void granted(Hand hand, String key, Shape shape, Destination to, List<PooledContainer> out) {
        Grant g;
        try {
            g = hand.out(key, shape, Duration.ZERO);
        } catch (PoolExhaustedException full) {
            return;
        }
        if (!g.mustStart()) {
            assertThat(withJobs).as("handed out while out with a job").doesNotContain(g.container());
            assertThat(sandboxes).as("handed out while a sandbox").doesNotContain(g.container());
            assertThat(g.container().shape()).isEqualTo(shape);
            out.add(g.container());
        } else if (g.victim() != null) {
            assertThat(withJobs).doesNotContain(g.victim());
            assertThat(sandboxes).doesNotContain(g.victim());
            afterVictim.add(to);
        } else {
            starts.add(to);
        }
    }

    void finishStart(Shape shape) {
        if (starts.isEmpty()) {
            return;
        }
        Destination to = starts.remove(random.nextInt(starts.size()));
        if (random.nextInt(5) == 0) {
            ledger.startFailed();
            return;
        }
        PooledContainer c = new PooledContainer("c" + everMade.size(), shape, null, clock.instant());
        everMade.add(c);
        if (!ledger.admit(c, to)) {
            removals++;
        } else if (to.sandbox()) {
            sandboxes.add(c);
        } else if (to.keyId() != null) {
            withJobs.add(c);
        }
    }

    void check(String when) {
        ledger.verify();
        assertThat(ledger.starting()).as("starting at " + when).isEqualTo(starts.size());
        assertThat(ledger.removing()).as("removing at " + when).isEqualTo(removals + afterVictim.size());
        PoolStats stats = ledger.stats();
        assertThat(stats.busy()).as("busy at " + when).isEqualTo(withJobs.size());
        assertThat(stats.sandboxes()).as("sandboxes at " + when).isEqualTo(sandboxes.size());
        assertThat(ledger.total()).as("total at " + when).isLessThanOrEqualTo(MAX);
    }

    static List<PooledContainer> concat(List<PooledContainer> a, List<PooledContainer> b) {
        List<PooledContainer> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    PooledContainer pick(List<PooledContainer> from) {
        return from.isEmpty() ? null : from.remove(random.nextInt(from.size()));
    }
}
