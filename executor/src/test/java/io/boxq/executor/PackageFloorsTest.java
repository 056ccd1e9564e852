package io.boxq.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The executor's packages stand in floors: no arrow runs back up, so no two packages need each
 * other. {@link ExecutorNode} wires them all from above and nothing imports it.
 */
class PackageFloorsTest {
    private static final Path SOURCES = Path.of("src/main/java/io/boxq/executor");
    private static final Pattern USE = Pattern.compile("io\\.boxq\\.executor\\.([a-z]+)\\.[A-Z]");

    @Test
    void no_package_cycle() throws IOException {
        Map<String, Set<String>> uses = uses();
        assertThat(uses).as("the executor's packages").containsKeys("node", "sandbox", "job");
        for (String from : uses.keySet()) {
            assertThat(cycleFrom(from, from, uses, new ArrayList<>(List.of(from)), new HashSet<>()))
                    .as("a cycle through %s", from).isEmpty();
        }
    }

    @Test
    void no_package_uses_the_wiring_class() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<Path> users = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getParent().equals(SOURCES))
                    .filter(f -> read(f).contains("ExecutorNode"))
                    .toList();
            assertThat(users).isEmpty();
        }
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> uses, List<String> path,
            Set<String> seen) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(next);
                return cycle;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, uses, path, seen);
                if (!found.isEmpty()) {
                    return found;
                }
                path.removeLast();
            }
        }
        return List.of();
    }

    /** Package to the other executor packages its files name. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java") && !f.getParent().equals(SOURCES)).forEach(f -> {
                String pkg = f.getParent().getFileName().toString();
                Matcher m = USE.matcher(read(f));
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            });
        }
        return uses;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
