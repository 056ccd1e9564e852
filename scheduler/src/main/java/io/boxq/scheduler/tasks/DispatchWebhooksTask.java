package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/**
 * Claims the webhook deliveries that are due (first attempts a node could not kick, retries, and
 * deliveries whose node died holding them) and hands them to the node's sender. It does not wait
 * for any of them to be sent.
 */
@DisallowConcurrentExecution
public final class DispatchWebhooksTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        node.dispatchWebhooks();
        return 0; // deliveries log their own attempts; a count every second would only be noise
    }
}
