package io.boxq.scheduler;

/**
 * What the maintenance tasks ask of an executor node. The scheduler knows when; the node knows how.
 * Each method returns how many things it changed, for the log. None has a default: a task nobody
 * wired must not compile, rather than silently do nothing.
 */
public interface NodeMaintenance {
    /** Grows each pool shape towards its target. */
    int rebalancePool();

    /** Destroys containers idle past their timeout; shrinks unclaimed ones to the target. */
    int shrinkIdle();

    /** Removes containers nobody owns (this node's leftovers, dead nodes' containers). */
    int sweepOrphans();

    /** Takes over entries of lost nodes (XAUTOCLAIM) and settles dead nodes' own streams. */
    int reclaimStalledJobs();

    /** Refreshes the node's heartbeat hash. */
    void heartbeat();

    /** Claims the webhook deliveries due now and hands them to the sender (which sends them async). */
    int dispatchWebhooks();

    /**
     * Samples every sandbox of the node (memory, CPU, network, pids, workspace), keeps its history
     * and handles threshold violations; returns how many violations it found.
     */
    int monitorResources();

    /** Removes dangling sandbox images ({@code boxq.image=true}, untagged); returns how many. */
    int removeDanglingImages();

    /** Removes expired snapshots (records and files) and snapshot files nobody keeps a record of; returns how many. */
    int sweepSnapshots();
}
