package io.boxq.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.InvocationBuilder;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few Docker calls boxq makes, with docker-java's exceptions turned into ours. */
public final class DockerRuntime {
    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    private final DockerClient docker;
    private final String host;

    /** @param host the engine's address {@code docker} speaks to, for the pings of {@link #answers} */
    public DockerRuntime(DockerClient docker, String host) {
        this.docker = docker;
        this.host = host;
    }

    public DockerClient client() {
        return docker;
    }

    /**
     * Creates and starts a container; removes it again if it cannot be started (or, when even that
     * fails, names it in {@link DockerUnavailableException#leftBehind()}). Each container gets a
     * name of its own ({@code boxq-} and 16 random hex digits) before the engine is asked, so a
     * create whose answer was lost (the engine stopped while it created) can still be removed: by
     * that name, once the engine is back. A container that starts while the engine is stopping is
     * removed again and refused (see {@link #answers}): it would outlive the engine's stop and be
     * killed under its first job when the engine starts again.
     *
     * @return the container id
     * @throws DockerUnavailableException when the engine refuses or cannot be reached
     */
    public String start(ContainerSpec spec) {
        String name = "boxq-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String id;
        try {
            id = docker.createContainerCmd(spec.image())
                    .withName(name)
                    .withLabels(spec.labels())
                    .withUser(spec.user().dockerUser())
                    .withWorkingDir(spec.workspace())
                    .withCmd(spec.command())
                    .withNetworkDisabled("none".equals(spec.network()))
                    .withHostConfig(spec.hostConfig())
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            // Refused, or the answer lost: in the second case the container may exist all the same.
            throw new DockerUnavailableException("cannot create a container of " + spec.image() + ": " + e.getMessage(), e,
                    remove(name) ? null : name);
        }
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            // The engine going away between create and start leaves a created container it cannot
            // remove now: the caller is told its id, to remove it once the engine is back.
            throw new DockerUnavailableException("cannot start container " + id + ": " + e.getMessage(), e,
                    remove(id) ? null : id);
        }
        // Running now: if the engine still answers a new connection, it had not begun to stop, and
        // its stop (which stops every container running when it begins) will take this one too.
        if (!answers()) {
            throw new DockerUnavailableException("container " + id + " started while the engine was stopping", null,
                    remove(id) ? null : id);
        }
        return id;
    }

    /**
     * Force-removes a container; one that is already gone counts as removed.
     *
     * @return false when the engine could not be asked (it is away): the container may still exist
     */
    public boolean remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            log.debug("container {} was already gone", id);
        } catch (ConflictException e) {
            log.debug("container {} is already being removed", id);
        } catch (RuntimeException e) {
            log.warn("could not remove container {}: {}", id, e.getMessage());
            return false;
        }
        return true;
    }

    /** All containers (running or not) carrying every label in {@code labels}. */
    public List<Container> list(Map<String, String> labels) {
        try {
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("cannot list containers: " + e.getMessage(), e);
        }
    }

    public boolean imageExists(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Whether the engine answers a ping on a connection of its own; false while it is stopping or
     * away. A stopping engine closes its socket at once but goes on serving the connections already
     * open until it exits, and what it creates meanwhile outlives its stop: a ping on the client's
     * kept-alive connections would say yes.
     */
    public boolean answers() {
        try (DockerClient once = DockerClients.create(host, 0)) {
            once.pingCmd().exec();
            return true;
        } catch (RuntimeException | IOException e) {
            return false;
        }
    }

    public boolean isRunning(String id) {
        try {
            Boolean running = docker.inspectContainerCmd(id).exec().getState().getRunning();
            return Boolean.TRUE.equals(running);
        } catch (NotFoundException e) {
            return false;
        }
    }

    /*
     * Pause and resume (docs/architecture.md, "Pause and resume"): the cgroup freezer stops every
     * process of the container, the runner's too; memory stays held.
     */

    /**
     * Freezes every process of a running container; one already paused stays so.
     *
     * @throws DockerUnavailableException when the engine refuses or cannot be reached
     */
    public void pause(String id) {
        try {
            docker.pauseContainerCmd(id).exec();
        } catch (ConflictException e) {
            if (!isPaused(id)) {
                throw new DockerUnavailableException("cannot pause container " + id + ": " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("cannot pause container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Thaws a paused container; one that is not paused, or gone, is left as it is.
     *
     * @return false when the engine could not be asked or refused
     */
    public boolean unpause(String id) {
        try {
            docker.unpauseContainerCmd(id).exec();
        } catch (NotFoundException e) {
            log.debug("container {} was already gone", id);
        } catch (ConflictException e) {
            log.debug("container {} was not paused", id);
        } catch (RuntimeException e) {
            log.warn("could not unpause container {}: {}", id, e.getMessage());
            return false;
        }
        return true;
    }

    public boolean isPaused(String id) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getPaused());
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * The engine's one reading of a container's figures, which it takes from the container's cgroup
     * on the host: it works on a paused container without thawing it.
     *
     * @throws DockerUnavailableException when the engine refuses or cannot be reached
     */
    public Statistics stats(String id) {
        try (InvocationBuilder.AsyncResultCallback<Statistics> callback = new InvocationBuilder.AsyncResultCallback<>()) {
            docker.statsCmd(id).withNoStream(true).exec(callback);
            return callback.awaitResult();
        } catch (java.io.IOException | RuntimeException e) {
            throw new DockerUnavailableException("cannot read the figures of container " + id + ": " + e.getMessage(), e);
        }
    }
}
