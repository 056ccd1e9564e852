package io.boxq.core.redis;

/**
 * One api process's block of places in a key's rate window: taken from the window's counter with
 * one {@code INCRBY} and handed out a request at a time without asking Redis again. The counter
 * counts every place any process took, so a process never hands out a place past the limit; a
 * place it took and did not hand out before the window ended is simply not used. Bookkeeping only,
 * not thread-safe (but for {@link #window}): {@link RedisRateLimiter} takes the block and holds the lock.
 */
final class RateBlock {
    /** The most places one {@code INCRBY} takes, so a process holds little of a window it may not use. */
    static final int MAX_SIZE = 256;
    /** What {@link #next} answers when the block has no place left. */
    static final long USED_UP = -1;
    /** A block is at most this share of the limit: other processes can be short by that much. */
    static final int SHARE = 64;

    private volatile long window = -1;
    /** The place the next request gets. */
    private long next;
    /** The last place of the block at or below the limit. */
    private long last;
    /** The counter has reached the limit: no process gets another place in this window. */
    private boolean full;

    /** The window this block's places are in. */
    long window() {
        return window;
    }

    /** How many places a block takes for a limit of {@code limit} requests a window. */
    static long size(int limit) {
        return Math.clamp(limit / SHARE, 1, MAX_SIZE);
    }

    /**
     * The place of a request in {@code window}: 1 for the window's first, the limit for its last
     * allowed one, 0 when it is over the limit. {@link #USED_UP} when this block is used up and the
     * counter may still have places: take another ({@link #took}).
     */
    long next(long window) {
        if (window != this.window) {
            this.window = window;
            next = 1;
            last = 0;
            full = false;
        }
        if (next <= last) {
            return next++;
        }
        return full ? 0 : USED_UP;
    }

    /**
     * The counter of {@code window} stood at {@code end} after taking {@code size} places: the block
     * is the places after {@code end - size}, up to the limit.
     *
     * @return the place of the request that took the block, 0 when it is over the limit
     */
    long took(long window, long end, long size, int limit) {
        this.window = window;
        next = end - size + 1;
        last = Math.min(end, limit);
        full = end >= limit;
        return next <= last ? next++ : 0L;
    }
}
