package io.boxq.scheduler;

/**
 * What the maintenance tasks ask of an executor node. The scheduler knows when; the node knows how.
 * Each method returns how many things it changed, for the log.
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
    default int dispatchWebhooks() {
        return 0;
    }

    /**
     * Samples every sandbox of the node (memory, CPU, network, pids, workspace), keeps its history
     * and handles threshold violations; returns how many violations it found.
     */
    default int monitorResources() {
        return 0;
    }

    /** Removes dangling sandbox images ({@code boxq.image=true}, untagged); returns how many. */
    default int removeDanglingImages() {
        return 0;
    }

    /** Removes expired snapshots (records and files) and snapshot files nobody keeps a record of; returns how many. */
    default int sweepSnapshots() {
        return 0;
    }
}
