package io.boxq.api.sandboxes;

import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.NodeDirectory.NodeInfo;
import java.util.Comparator;

/** Chooses the node a new sandbox goes to: the live node with the most warm containers, then the least allocated. */
final class NodePicker {
    private final NodeDirectory nodes;

    NodePicker(NodeDirectory nodes) {
        this.nodes = nodes;
    }

    String pick() {
        return nodes.liveNodes().stream()
                .max(Comparator.<NodeInfo>comparingInt(n -> n.figure("available"))
                        .thenComparingInt(n -> n.figure("max_capacity") - n.figure("allocated")))
                .map(NodeInfo::id)
                .orElseThrow(() -> new ProblemException(Problem.of(503, "no-executor", "No executor",
                        "no executor node is running; retry shortly")));
    }
}
