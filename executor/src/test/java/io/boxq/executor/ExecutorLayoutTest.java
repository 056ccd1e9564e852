package io.boxq.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * The executor's main sources stand in floors: no package reaches back up to one that reaches
 * it (no cycle), nothing below the wiring classes ({@link ExecutorNode}, {@link Runners}) names them,
 * and no file is past {@link #MAX_LINES} lines, the size at which a class asks to be
 * split along a seam. Read from the sources (imports and fully qualified names), so it needs no
 * tool beyond the test run.
 */
class ExecutorLayoutTest {
    static final int MAX_LINES = 300;
    static final Path SOURCES = Path.of("src/main/java/io/boxq/executor");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.boxq\\.executor\\.([a-z][a-z0-9_]*)\\.[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

    @Test
    void no_main_file_is_longer_than_the_limit() {
        Map<String, Long> tooLong = new TreeMap<>();
        for (Path file : javaFiles()) {
            long lines = read(file).lines().count();
            if (lines > MAX_LINES) {
                tooLong.put(SOURCES.relativize(file).toString(), lines);
            }
        }
        assertThat(tooLong).as("executor files over %d lines (split them along a seam)", MAX_LINES).isEmpty();
    }

    @Test
    void the_packages_depend_on_each_other_without_a_cycle() {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses).as("packages read").containsKeys("pool", "node", "docker");
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            List<String> cycle = cycleThrough(start, uses);
            if (!cycle.isEmpty()) {
                cycles.add(String.join(" -> ", cycle));
            }
        }
        assertThat(cycles).as("package cycles in the executor (each names the files' packages)").isEmpty();
    }

    @Test
    void nothing_below_uses_the_wiring_classes() {
        Pattern wiring = Pattern.compile("\\bio\\.boxq\\.executor\\.[A-Z]|\\b(ExecutorNode|Runners)\\b");
        List<String> users = javaFiles().stream()
                .filter(f -> !f.getParent().equals(SOURCES))
                .filter(f -> wiring.matcher(COMMENT.matcher(read(f)).replaceAll("")).find())
                .map(f -> SOURCES.relativize(f).toString())
                .toList();
        assertThat(users).as("files below io.boxq.executor that name its wiring classes").isEmpty();
    }

    @Test
    void the_cycle_check_finds_a_cycle() {
        Map<String, Set<String>> uses = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(cycleThrough("a", uses)).containsExactly("a", "b", "c", "a");
        assertThat(cycleThrough("d", uses)).isEmpty();
    }

    /** Package → the executor packages its files name. */
    static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : javaFiles()) {
            Path dir = SOURCES.relativize(file).getParent();
            String pkg = dir == null ? "" : dir.toString().replace('/', '.');
            Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(COMMENT.matcher(read(file)).replaceAll(""));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    used.add(m.group(1));
                }
            }
        }
        return uses;
    }

    /** A path from {@code start} back to itself, or empty when there is none. */
    static List<String> cycleThrough(String start, Map<String, Set<String>> uses) {
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.add(List.of(start));
        Set<String> seen = new TreeSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.poll();
            for (String next : uses.getOrDefault(path.getLast(), Set.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    paths.add(longer);
                }
            }
        }
        return List.of();
    }

    private static List<Path> javaFiles() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
