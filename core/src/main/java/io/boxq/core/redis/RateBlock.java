package io.boxq.core.redis;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One api process's block of places in a key's rate window: taken from the window's counter with
 * one {@code INCRBY} and handed out a request at a time without asking Redis again. The counter
 * counts every place any process took, so a process never hands out a place past the limit; a
 * place it took and did not hand out before the window ended is simply not used. Bookkeeping only:
 * {@link RedisRateLimiter} holds {@link #lock} around every call and takes the blocks from Redis.
 */
final class RateBlock {
    /** The most places one {@code INCRBY} takes, so a process holds little of a window it may not use. */
    static final int MAX_SIZE = 256;
    /** What {@link #next} answers when the block has no place left. */
    static final long USED_UP = -1;
    /** A block is at most this share of the limit: other processes can be short by that much. */
    static final int SHARE = 64;

    /** Held around every call (a {@code ReentrantLock}: the holder may wait for Redis). */
    final ReentrantLock lock = new ReentrantLock();
    private long window;
    /** The place the next request gets. */
    private long next = 1;
    /** The last place of the block at or below the limit. */
    private long last;
    /** The limit under which the counter was found at or past the limit (0: not found so). */
    private int fullUnder;
    /** Let go of by the sweep: a request that finds it so takes the key's new block. */
    private boolean retired;

    RateBlock(long window) {
        this.window = window;
    }

    /** How many places a block takes for a limit of {@code limit} requests a window. */
    static long size(int limit) {
        return Math.clamp(limit / SHARE, 1, MAX_SIZE);
    }

    /**
     * The window a request in {@code window} counts in: its own, or this block's when a request
     * that read the clock earlier comes after one of the next window (windows only move forward).
     */
    long windowFor(long window) {
        if (window > this.window) {
            this.window = window;
            next = 1;
            last = 0;
            fullUnder = 0;
        }
        return this.window;
    }

    /**
     * The place of a request in this block's window ({@link #windowFor} first): 1 for the window's
     * first, the limit for its last allowed one, 0 when it is over the limit. {@link #USED_UP} when
     * this block is used up and the counter may still have places under {@code limit}: take another
     * ({@link #took}).
     */
    long next(int limit) {
        if (next <= last) {
            return next++;
        }
        return fullUnder > 0 && limit <= fullUnder ? 0 : USED_UP;
    }

    /**
     * The counter of this block's window stood at {@code end} after taking {@code size} places: the
     * block is the places after {@code end - size}, up to the limit.
     *
     * @return the place of the request that took the block, 0 when it is over the limit
     */
    long took(long end, long size, int limit) {
        next = end - size + 1;
        last = Math.min(end, limit);
        fullUnder = end >= limit ? limit : 0;
        return next <= last ? next++ : 0L;
    }

    long window() {
        return window;
    }

    boolean retired() {
        return retired;
    }

    /** Retires the block when its window is older than {@code before} (the caller holds the lock). */
    boolean retireIfBefore(long before) {
        retired = window < before;
        return retired;
    }
}
