package io.boxq.executor.pool;

/**
 * The pool's figures for one shape, as the heartbeat reports them to the admin overview:
 * {@code available} warm and unclaimed, {@code allocated} held by keys (busy, idle or as sandboxes),
 * {@code target} the warm containers rebalance aims for. Containers still starting are counted only
 * in the node's total. Every shape shares the node's {@code MAX_POOL_SIZE}.
 */
public record ShapeStats(String shape, String image, long memoryBytes, String network, String runtime, int available, int allocated,
        int busy, int sandboxes, int target) {

    public int total() {
        return available + allocated;
    }
}
