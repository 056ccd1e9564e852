package io.boxq.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.time.Duration;

/** Builds the one Docker client of a node. */
public final class DockerClients {
    /**
     * With {@code RUNNER=exec} every running command holds one connection for its exec stream, so
     * the pool must be larger than the most containers a node holds (a pool of 100 once stopped
     * every other call behind 98 open streams); the rest is for ordinary calls. The agent holds
     * none: it speaks over its own socket.
     */
    public static final int CONNECTIONS_BEYOND_RUNNERS = 64;

    private DockerClients() {}

    public static DockerClient create(String dockerHost, int maxContainers) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(maxContainers + CONNECTIONS_BEYOND_RUNNERS)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
