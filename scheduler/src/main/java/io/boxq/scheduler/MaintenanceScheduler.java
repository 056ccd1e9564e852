package io.boxq.scheduler;

import io.boxq.core.config.BoxqConfig;
import io.boxq.scheduler.tasks.DispatchWebhooksTask;
import io.boxq.scheduler.tasks.HeartbeatTask;
import io.boxq.scheduler.tasks.MonitorResourcesTask;
import io.boxq.scheduler.tasks.RebalancePoolTask;
import io.boxq.scheduler.tasks.ReclaimStalledJobsTask;
import io.boxq.scheduler.tasks.RemoveDanglingImagesTask;
import io.boxq.scheduler.tasks.ShrinkIdleContainersTask;
import io.boxq.scheduler.tasks.SweepOrphanContainersTask;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/** Quartz (RAMJobStore) running a node's maintenance tasks at their configured intervals (docs/architecture.md, "Warm pool and maintenance"). */
public final class MaintenanceScheduler implements AutoCloseable {
    /**
     * Quartz worker threads. Each task has its own trigger and never runs twice at once; the tasks are
     * short, so four threads are enough for all of them, and with four a slow one (a rebalance
     * starting containers) does not hold up the heartbeat.
     */
    static final int THREADS = 4;
    /** A run later than this (a long GC pause, a busy host) is skipped rather than run late. */
    static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(5);

    private final Scheduler scheduler;

    public MaintenanceScheduler(BoxqConfig config, NodeMaintenance node) {
        try {
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.instanceName", "boxq-" + config.server().workerId());
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD.toMillis()));
            this.scheduler = new StdSchedulerFactory(p).getScheduler();
            JobDataMap data = new JobDataMap();
            data.put("node", node);
            var m = config.maintenance();
            schedule(HeartbeatTask.class, m.heartbeatInterval(), data);
            schedule(RebalancePoolTask.class, m.rebalanceInterval(), data);
            schedule(ShrinkIdleContainersTask.class, m.shrinkInterval(), data);
            schedule(SweepOrphanContainersTask.class, config.sandboxLimits().cleanupInterval(), data);
            schedule(io.boxq.scheduler.tasks.SweepExpiredSnapshotsTask.class, config.sandboxLimits().cleanupInterval(), data);
            schedule(ReclaimStalledJobsTask.class, m.reclaimInterval(), data);
            schedule(DispatchWebhooksTask.class, config.webhooks().dispatchInterval(), data);
            schedule(MonitorResourcesTask.class, config.monitor().resourceInterval(), data);
            if (config.monitor().imageCleanupEnabled()) {
                schedule(RemoveDanglingImagesTask.class, config.monitor().imageCleanupInterval(),
                        data);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot set up the maintenance scheduler", e);
        }
    }

    private void schedule(Class<? extends Job> task, Duration every, JobDataMap data) throws SchedulerException {
        scheduler.scheduleJob(
                JobBuilder.newJob(task).withIdentity(task.getSimpleName()).usingJobData(data).build(),
                TriggerBuilder.newTrigger()
                        .withIdentity(task.getSimpleName())
                        // The heartbeat beats at once: the node's start (warming its pool) may have used up
                        // most of NODE_TTL_SECONDS, and a node whose heartbeat lapses is taken for dead.
                        .startAt(new Date(System.currentTimeMillis()
                                + (task == HeartbeatTask.class ? 0 : every.toMillis())))
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                                .withIntervalInMilliseconds(every.toMillis())
                                .repeatForever()
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
    }

    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the maintenance scheduler", e);
        }
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot stop the maintenance scheduler", e);
        }
    }
}
