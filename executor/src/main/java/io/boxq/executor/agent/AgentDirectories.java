package io.boxq.executor.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the agents' sockets: under {@code AGENT_DIR/run}, a root per node, and in it a
 * directory per container ({@code <root>/<token>}, bind-mounted read-only at
 * {@link AgentRunnerFactory#RUN_IN_CONTAINER}). Every directory here is root's alone: a container sees
 * only its own leaf, so nothing else needs to pass through, and another user of the host must not
 * find a socket and connect in an agent's place.
 */
final class AgentDirectories {
    private static final Logger log = LoggerFactory.getLogger(AgentDirectories.class);
    /** A directory younger than this may belong to a container being created right now. */
    private static final Duration SWEEP_AGE = Duration.ofMinutes(2);

    private final Path root;

    /** @param root this node's root (see {@link #rootOf}); it and its parent are made root's alone */
    AgentDirectories(Path root) {
        this.root = root.toAbsolutePath();
        privateDirectory(this.root.getParent());
        privateDirectory(this.root);
    }

    /** The socket root of node {@code node} under {@code AGENT_DIR}. */
    static Path rootOf(Path agentDir, String node) {
        String name = node.replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > 24) { // a unix socket's path has at most 107 bytes
            name = name.substring(0, 15) + "-" + Integer.toHexString(node.hashCode());
        }
        return agentDir.resolve("run").resolve(name);
    }

    /** The directory of the container labelled {@code token}, its parent made again when a sweep took it. */
    Path forToken(String token) {
        if (!Files.isDirectory(root)) { // another node's sweep took it while it was empty
            privateDirectory(root);
        }
        return root.resolve(token);
    }

    void delete(String token) {
        deleteDir(root.resolve(token));
    }

    /**
     * Removes, under every node's root, the directories whose token is not in {@code live} (a crashed
     * node's included: other nodes remove its containers, this its directories), and node roots
     * left empty. A directory younger than {@link #SWEEP_AGE} is left.
     *
     * @return how many container directories were removed
     */
    int sweep(Set<String> live) {
        Path runRoot = root.getParent();
        if (!Files.isDirectory(runRoot)) {
            return 0;
        }
        Instant old = Instant.now().minus(SWEEP_AGE);
        int removed = 0;
        try (Stream<Path> roots = Files.list(runRoot)) {
            for (Path nodeRoot : roots.toList()) {
                boolean quiet = modified(nodeRoot).isBefore(old); // before its own sweep touches it
                removed += sweep(nodeRoot, live, old);
                if (!nodeRoot.equals(root) && quiet) {
                    try {
                        Files.deleteIfExists(nodeRoot); // only when empty
                    } catch (IOException e) {
                        // still holds a live container's directory
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the agent directories in {}: {}", runRoot, e.getMessage());
        }
        return removed;
    }

    /** Removes this node's root once its containers (and so their directories) are gone. */
    void close() {
        try {
            Files.deleteIfExists(root);
        } catch (IOException e) {
            log.debug("agent directory {} not removed (not empty?): {}", root, e.getMessage());
        }
    }

    private static int sweep(Path nodeRoot, Set<String> live, Instant old) throws IOException {
        int removed = 0;
        try (Stream<Path> dirs = Files.list(nodeRoot)) {
            for (Path dir : dirs.toList()) {
                if (!live.contains(dir.getFileName().toString()) && modified(dir).isBefore(old)) {
                    deleteDir(dir);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static void privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the agent directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Instant modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    static void deleteDir(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // gone already, or the sweep takes it later
        }
    }
}
