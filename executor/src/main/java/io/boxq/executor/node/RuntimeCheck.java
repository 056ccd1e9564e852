package io.boxq.executor.node;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.RuntimeInfo;
import io.boxq.core.config.SandboxConfig;
import io.boxq.executor.docker.DockerUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Start-up check: the engine has every runtime of {@code ALLOWED_RUNTIMES}, so any node can take any
 * job or sandbox, whatever runtime it asks for (docs/architecture.md, "Runtimes").
 */
public final class RuntimeCheck {
    private RuntimeCheck() {}

    public static void requireRuntimes(DockerClient docker, SandboxConfig config) {
        Map<String, RuntimeInfo> runtimes;
        try {
            runtimes = docker.infoCmd().exec().getRuntimes();
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("the Docker engine at " + config.dockerHost()
                    + " does not answer: " + e.getMessage(), e);
        }
        List<String> missing = missing(config.allowedRuntimes(), runtimes == null ? Set.of() : runtimes.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Docker engine at " + config.dockerHost() + " lacks the runtime(s) "
                    + String.join(", ", missing) + " of ALLOWED_RUNTIMES (it has " + (runtimes == null ? "none"
                            : String.join(", ", new java.util.TreeSet<>(runtimes.keySet())))
                    + "); scripts/setup.sh installs runsc, docs/deploy.md shows the daemon.json entry");
        }
    }

    static List<String> missing(List<String> allowed, Set<String> engine) {
        return allowed.stream().filter(r -> !engine.contains(r)).toList();
    }
}
