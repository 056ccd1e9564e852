package io.boxq.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.core.config.BoxqConfig;
import io.boxq.scheduler.CountingNode.Task;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real Quartz scheduler with every interval at one second, driving a node that counts. Each
 * test has its own worker id, so its own Quartz instance.
 */
class MaintenanceSchedulerTest {
    private CountingNode node;
    private MaintenanceScheduler scheduler;

    @AfterEach
    void stop() {
        node.release(); // close() waits for running tasks
        scheduler.close();
    }

    @Test
    void with_one_second_intervals_every_task_fires_again_and_again() {
        node = new CountingNode(null);
        scheduler = started(node);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Task.values())
                .allSatisfy(task -> assertThat(node.entered(task)).as("%s runs", task).isGreaterThanOrEqualTo(3)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Task.class)
    void a_task_still_running_is_never_started_again_while_the_others_go_on(Task slow) {
        node = new CountingNode(slow);
        scheduler = started(node);
        Task other = slow == Task.HEARTBEAT ? Task.WEBHOOKS : Task.HEARTBEAT;
        await().atMost(Duration.ofSeconds(5)).until(() -> node.entered(slow) == 1);
        int otherBefore = node.entered(other);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> node.entered(slow) == 1 && node.mostInside(slow) == 1);

        assertThat(node.entered(other)).as("%s went on meanwhile", other).isGreaterThan(otherBefore + 1);
        node.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> node.entered(slow) >= 2);
        assertThat(node.mostInside(slow)).isEqualTo(1);
    }

    private static MaintenanceScheduler started(NodeMaintenance node) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("WORKER_ID", "test-scheduler-" + UUID.randomUUID().toString().substring(0, 8));
        Arrays.asList("REBALANCE_INTERVAL_SECONDS", "SHRINK_INTERVAL_SECONDS", "HEARTBEAT_INTERVAL_SECONDS",
                "RECLAIM_INTERVAL_SECONDS", "CLEANUP_INTERVAL_SECONDS", "WEBHOOK_DISPATCH_INTERVAL_SECONDS")
                .forEach(name -> env.put(name, "1"));
        MaintenanceScheduler scheduler = new MaintenanceScheduler(BoxqConfig.fromEnv(env), node);
        scheduler.start();
        return scheduler;
    }
}
