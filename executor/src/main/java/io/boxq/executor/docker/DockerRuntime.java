package io.boxq.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few Docker calls boxq makes, with docker-java's exceptions turned into ours. */
public final class DockerRuntime {
    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    private final DockerClient docker;

    public DockerRuntime(DockerClient docker) {
        this.docker = docker;
    }

    public DockerClient client() {
        return docker;
    }

    /**
     * Creates and starts a container; removes it again if it cannot be started (or, when even that
     * fails, names it in {@link DockerUnavailableException#leftBehind()}).
     *
     * @return the container id
     * @throws DockerUnavailableException when the engine refuses or cannot be reached
     */
    public String start(ContainerSpec spec) {
        String id;
        try {
            id = docker.createContainerCmd(spec.image())
                    .withLabels(spec.labels())
                    .withUser(spec.user().dockerUser())
                    .withWorkingDir(spec.workspace())
                    .withCmd(spec.command())
                    .withNetworkDisabled("none".equals(spec.network()))
                    .withHostConfig(spec.hostConfig())
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("cannot create a container of " + spec.image() + ": " + e.getMessage(), e);
        }
        try {
            docker.startContainerCmd(id).exec();
            return id;
        } catch (RuntimeException e) {
            // The engine going away between create and start leaves a created container it cannot
            // remove now: the caller is told its id, to remove it once the engine is back.
            throw new DockerUnavailableException("cannot start container " + id + ": " + e.getMessage(), e,
                    remove(id) ? null : id);
        }
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

    public boolean isRunning(String id) {
        try {
            Boolean running = docker.inspectContainerCmd(id).exec().getState().getRunning();
            return Boolean.TRUE.equals(running);
        } catch (NotFoundException e) {
            return false;
        }
    }
}
