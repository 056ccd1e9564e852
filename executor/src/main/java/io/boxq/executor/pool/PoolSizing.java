package io.boxq.executor.pool;

/**
 * How many warm, unclaimed containers a shape should have. Rebalance only grows towards this
 * target and idle shrink only shrinks towards it, so the two never fight.
 */
public final class PoolSizing {
    private PoolSizing() {}

    /**
     * @param initial {@code POOL_SIZE}: the target until there is any history of demand
     * @param recentDemand the most containers of the shape handed out within the recent window
     * @param warmingUp true during the first window after start
     * @param quiet true when nothing of the shape was handed out within the window
     */
    public static int target(int min, int max, int initial, int recentDemand, boolean warmingUp, boolean quiet,
            boolean aggressive) {
        int wanted;
        if (warmingUp) {
            wanted = initial;
        } else if (quiet) {
            wanted = aggressive ? min : Math.max(min, initial);
        } else {
            wanted = recentDemand + headroom(recentDemand);
        }
        return Math.max(min, Math.min(max, wanted));
    }

    /** A quarter more than recent demand, at least two: a burst is served warm while the pool refills. */
    static int headroom(int demand) {
        return Math.max(2, demand / 4);
    }
}
