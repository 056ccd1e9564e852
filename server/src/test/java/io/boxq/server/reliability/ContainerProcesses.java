package io.boxq.server.reliability;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** What runs inside a node's containers, as the engine sees it ({@code docker top}). */
final class ContainerProcesses {
    private ContainerProcesses() {}

    /** How many processes whose command line contains {@code text} run in the containers of {@code workerId}. */
    static long count(String workerId, String text) {
        try (DockerClient docker = TestEnvironment.docker()) {
            long n = 0;
            for (var c : TestEnvironment.containersOf(workerId)) {
                try {
                    String[][] ps = docker.topContainerCmd(c.getId()).exec().getProcesses();
                    n += ps == null ? 0 : Arrays.stream(ps).filter(p -> String.join(" ", p).contains(text)).count();
                } catch (DockerException e) {
                    // a container that is not running (being removed, killed) runs nothing
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
