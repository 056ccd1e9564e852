package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every path the newcomers' map (CONTRIBUTING.md) links to exists: a map that points nowhere misleads. */
class ContributingMapTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#:]+)\\)");

    @Test
    void every_linked_path_exists() throws IOException {
        String map = Files.readString(ROOT.resolve("CONTRIBUTING.md"));
        List<String> linked = new ArrayList<>();
        Matcher m = LINK.matcher(map);
        while (m.find()) {
            linked.add(m.group(1));
        }
        assertThat(linked).as("links read").hasSizeGreaterThan(20);
        assertThat(linked).as("linked paths that do not exist").filteredOn(p -> !Files.exists(ROOT.resolve(p)))
                .isEmpty();
    }
}
