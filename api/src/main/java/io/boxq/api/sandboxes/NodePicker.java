package io.boxq.api.sandboxes;

import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.redis.NodeDirectory;
import java.util.Comparator;

/**
 * Chooses the node a new sandbox goes to: among the live nodes with room for another sandbox (its
 * maximum minus the sandboxes on record for it), the one with the most warm containers, then the
 * most room; a node whose every container is a sandbox is chosen only when all are (its create then
 * fails there with the reason). The sandbox count is read from Redis, not the heartbeat, so a burst
 * of creates spreads over the nodes instead of filling the first.
 */
final class NodePicker {
    private final NodeDirectory nodes;

    NodePicker(NodeDirectory nodes) {
        this.nodes = nodes;
    }

    private record Candidate(String id, int available, long room) {}

    String pick() {
        return nodes.liveNodes().stream()
                .map(n -> new Candidate(n.id(), n.figure("available"),
                        n.figure("max_capacity") - nodes.sandboxCount(n.id())))
                .max(Comparator.<Candidate>comparingInt(c -> c.room() > 0 ? 1 : 0)
                        .thenComparingInt(Candidate::available)
                        .thenComparingLong(Candidate::room))
                .map(Candidate::id)
                .orElseThrow(() -> new ProblemException(Problem.of(503, "no-executor", "No executor",
                        "no executor node is running; retry shortly")));
    }
}
