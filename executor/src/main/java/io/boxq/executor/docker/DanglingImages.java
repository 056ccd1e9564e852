package io.boxq.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes dangling sandbox images: untagged images labelled {@code boxq.image=true}, which a rebuild
 * of a sandbox image leaves behind (scripts/build-sandbox-image.sh, Dockerfile.sandbox). An image a
 * container still uses is kept.
 */
public final class DanglingImages {
    private static final Logger log = LoggerFactory.getLogger(DanglingImages.class);
    public static final String LABEL = "boxq.image=true";

    private final DockerClient docker;

    public DanglingImages(DockerClient docker) {
        this.docker = docker;
    }

    /** @return how many images were removed */
    public int remove() {
        List<Image> dangling;
        try {
            dangling = docker.listImagesCmd().withDanglingFilter(true).withLabelFilter(LABEL).exec();
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("cannot list images: " + e.getMessage(), e);
        }
        int removed = 0;
        for (Image image : dangling) {
            try {
                docker.removeImageCmd(image.getId()).withForce(false).exec();
                log.info("removed dangling sandbox image {}", image.getId());
                removed++;
            } catch (NotFoundException e) {
                log.debug("image {} was already gone", image.getId());
            } catch (ConflictException e) {
                log.debug("image {} is still in use: kept", image.getId());
            } catch (RuntimeException e) {
                log.warn("could not remove image {}: {}", image.getId(), e.getMessage());
            }
        }
        return removed;
    }
}
