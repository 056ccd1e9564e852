package io.boxq.executor.pool;

/**
 * The pool's figures, named as the seed's {@code /health} names them: {@code available} warm and
 * unclaimed, {@code allocated} held by keys (busy, idle, or as sandboxes), {@code total} including
 * those starting; {@code busy} running a job now, {@code sandboxes} pinned to a sandbox.
 */
public record PoolStats(int available, int allocated, int total, int maxCapacity, int busy, int sandboxes) {}
