package io.boxq.executor.pool;

/**
 * The pool's figures, named as the seed's {@code /health} names them: {@code available} warm and
 * unclaimed, {@code allocated} held by keys (busy or idle), {@code total} including those starting.
 */
public record PoolStats(int available, int allocated, int total, int maxCapacity, int busy) {}
