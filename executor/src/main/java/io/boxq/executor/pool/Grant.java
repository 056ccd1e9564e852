package io.boxq.executor.pool;

/**
 * What {@link PoolLedger} gave for a hand-out: a {@code container} ready for use, or leave to start
 * one, after removing {@code victim} when it is not null (then {@link PoolLedger#victimRemoved}).
 */
record Grant(PooledContainer container, PooledContainer victim) {
    boolean mustStart() {
        return container == null;
    }
}
