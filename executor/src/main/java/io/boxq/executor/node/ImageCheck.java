package io.boxq.executor.node;

import io.boxq.core.config.SandboxConfig;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.DockerUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Start-up check: the engine answers and every configured image exists. */
public final class ImageCheck {
    private ImageCheck() {}

    public static void requireImages(DockerRuntime docker, SandboxConfig config) {
        Set<String> images = new LinkedHashSet<>();
        images.add(config.image());
        images.addAll(config.allowedImages());
        List<String> missing = new ArrayList<>();
        try {
            for (String image : images) {
                if (!docker.imageExists(image)) {
                    missing.add(image);
                }
            }
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("the Docker engine at " + config.dockerHost()
                    + " does not answer: " + e.getMessage(), e);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("sandbox image(s) missing: " + String.join(", ", missing)
                    + "; build them with scripts/build-sandbox-image.sh");
        }
    }
}
