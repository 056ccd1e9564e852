package io.boxq.executor.node;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobQueue;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.redis.RedisJobQueue.Reclaim;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.executor.job.JobEndListener;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import redis.clients.jedis.params.SetParams;

/**
 * Takes over the work of nodes that stopped renewing their leases. Entries of the shared stream
 * idle past the lease timeout are claimed ({@code XAUTOCLAIM}, saved cursor, no more than this node
 * can run); a job that had not started runs here, one that had runs again only if its
 * {@code max_attempts} allows, else it ends {@code error} ("executor lost"). The own streams of dead
 * nodes are settled too: their sandboxes died with them, so those jobs end {@code error}. A dead
 * node stays registered (and its stream is settled on every pass) until the sandbox reconcile has
 * given up its sandboxes, so a job the api sends to one of them meanwhile ends {@code error} too.
 */
public final class StalledJobReclaimer {
    /** More than a node ever holds at once (its pool's maximum), so one read takes all it left. */
    static final int OWN_PENDING_MAX = 10_000;
    private static final Logger log = LoggerFactory.getLogger(StalledJobReclaimer.class);
    static final String LOST = "executor lost: the node running it stopped before it finished";
    static final String SANDBOX_LOST = "executor lost: the sandbox's node died, and the sandbox with it";

    private final Redis redis;
    private final RedisJobQueue queue;
    private final RedisJobStore jobs;
    private final JobConsumer consumer;
    private final NodeDirectory nodes;
    private final BoxqConfig config;
    private final String node;
    private final JobEndListener ended;

    /** @param ended told of each job this reclaim ended (metrics and usage), like the ends the nodes store */
    public StalledJobReclaimer(Redis redis, RedisJobQueue queue, RedisJobStore jobs, JobConsumer consumer,
            BoxqConfig config, String node, JobEndListener ended) {
        this.ended = ended;
        this.redis = redis;
        this.queue = queue;
        this.jobs = jobs;
        this.consumer = consumer;
        this.nodes = new NodeDirectory(redis);
        this.config = config;
        this.node = node;
    }

    /** @return how many entries were taken over or settled */
    public int reclaim() {
        int settled = 0;
        int room = consumer.freeCapacity();
        if (room > 0) {
            long idle = config.maintenance().leaseTimeout().toMillis();
            for (Entry e : queue.autoclaim(redis.keys().jobsStream(), node, idle, room)) {
                if (consumer.isWorkingOn(e)) {
                    continue; // our own lease ran out while Redis was away: claiming it renewed it
                }
                settled++;
                settle(e, false);
            }
        }
        return settled + settleDeadNodes();
    }

    private int settleDeadNodes() {
        String lock = redis.keys().lock("settle-dead-nodes");
        if (!"OK".equals(redis.call(j -> j.set(lock, node, SetParams.setParams().nx().px(60_000))))) {
            return 0;
        }
        int settled = 0;
        try {
            for (String dead : nodes.deadNodes()) {
                if (dead.equals(node)) {
                    continue;
                }
                List<Entry> left = queue.all(redis.keys().nodeStream(dead));
                for (Entry e : left) {
                    settle(e, true);
                    settled++;
                }
                if (!left.isEmpty()) {
                    log.info("settled {} entries of the stream of dead node {}", left.size(), dead);
                }
                if (nodes.forget(dead)) {
                    log.info("forgot dead node {}: its stream is empty and it holds no sandbox", dead);
                }
            }
        } finally {
            redis.run(j -> j.del(lock));
        }
        return settled;
    }

    /**
     * Settles what an earlier life of this node (a process with the same {@code WORKER_ID}, killed)
     * left pending in its name, by the rules other nodes apply to a lost node's entries: not started
     * → runs; started → runs again only as its attempts allow, else {@code error} "executor lost";
     * the jobs of its own stream end {@code error} (their sandboxes died with it). Never run as new:
     * an attempt's fencing token dies with its process, so such a run could not store its result.
     * Call once at start, before the node reads new work.
     *
     * @return how many entries were settled
     */
    public int settleOwnPending() {
        String own = redis.keys().nodeStream(node);
        List<String> streams = List.of(redis.keys().jobsStream(), own);
        List<Entry> left;
        try {
            // A node's first start has no stream of its own yet (a new deployment, no jobs stream):
            // a read of a missing stream fails NOGROUP for both, and would settle nothing.
            streams.forEach(queue::ensureGroup);
            left = queue.read(node, streams, OWN_PENDING_MAX, 0, true);
        } catch (StoreUnavailableException e) {
            log.warn("could not read what an earlier run of {} left pending; the stalled-job reclaim will: {}", node,
                    e.getMessage());
            return 0;
        }
        for (Entry e : left) {
            settle(e, e.stream().equals(own));
        }
        if (!left.isEmpty()) {
            log.info("settled {} entries an earlier run of {} had left pending", left.size(), node);
        }
        return left.size();
    }

    private void settle(Entry e, boolean sandboxLost) {
        if (e.jobId() == null) {
            queue.discard(e);
            return;
        }
        Reclaim outcome = queue.reclaim(e, config.maintenance().maxDeliveries(), sandboxLost ? SANDBOX_LOST : LOST,
                sandboxLost, config.jobs().resultTtl());
        switch (outcome) {
            case RUN -> {
                log.info("took over job {} from a lost node", e.jobId());
                consumer.offer(e);
            }
            case ENDED -> {
                jobs.find(e.jobId()).ifPresent(this::tell);
                jobs.promoteBacklogOf(e.jobId());
            }
            case DROPPED -> { }
        }
    }

    private void tell(Job job) {
        try (var k = MDC.putCloseable("job", job.id()); var key = MDC.putCloseable("key", job.keyId());
                var n = MDC.putCloseable("node", node)) {
            log.info("job {} of key {} ended error: {}", job.id(), job.keyId(), job.error());
            ended.ended(job, JobState.ERROR, null, job.finishedAt() != null ? job.finishedAt() : Instant.now());
        }
    }
}
