package io.boxq.executor.node;

import com.github.dockerjava.api.model.Container;
import io.boxq.core.redis.Redis;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes boxq containers nobody owns: those labelled with this node that its pool does not hold
 * (left by a crash), and those of a node whose heartbeat has expired. Several nodes may share one
 * engine (and several deployments, told apart by their Redis prefix), so a live node's containers
 * and other deployments' containers are never touched.
 */
public final class OrphanSweep {
    private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);
    /** Younger containers may be starting right now and not be in the pool yet. */
    static final Duration MIN_AGE = Duration.ofSeconds(60);

    private final DockerRuntime docker;
    private final Redis redis;
    private final String node;
    private final Supplier<Set<String>> held;
    private final Duration minAge;

    public OrphanSweep(DockerRuntime docker, Redis redis, String node, Supplier<Set<String>> held) {
        this(docker, redis, node, held, MIN_AGE);
    }

    /** @param minAge how old a container must be before it can count as an orphan (tests shorten it) */
    OrphanSweep(DockerRuntime docker, Redis redis, String node, Supplier<Set<String>> held, Duration minAge) {
        this.docker = docker;
        this.redis = redis;
        this.node = node;
        this.held = held;
        this.minAge = minAge;
    }

    /** @return how many containers were removed */
    public int sweep() {
        Set<String> mine = held.get();
        long cutoff = Instant.now().minus(minAge).getEpochSecond();
        int removed = 0;
        for (Container c : docker.list(Map.of(Labels.MANAGED, "true", Labels.DEPLOYMENT, redis.keys().prefix()))) {
            String owner = c.getLabels() == null ? null : c.getLabels().get(Labels.NODE);
            boolean orphan = node.equals(owner)
                    ? !mine.contains(c.getId()) && c.getCreated() < cutoff
                    : owner != null && !nodeAlive(owner) && c.getCreated() < cutoff;
            if (orphan) {
                log.info("removing orphan container {} of node {}", c.getId().substring(0, 12), owner);
                if ("paused".equals(c.getState())) {
                    docker.unpause(c.getId()); // a paused sandbox's: thawed first, never left frozen
                }
                docker.remove(c.getId());
                removed++;
            }
        }
        return removed;
    }

    private boolean nodeAlive(String other) {
        return redis.call(j -> j.exists(redis.keys().node(other)));
    }
}
