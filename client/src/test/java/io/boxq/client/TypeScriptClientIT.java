package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code node --test} of clients/typescript against the live server. Its dev dependency
 * (standardwebhooks, to check the verifier against) comes from {@code npm ci}, which
 * scripts/setup.sh --for test runs.
 */
@ExtendWith(LiveServer.class)
class TypeScriptClientIT {

    @Test
    void the_typescript_clients_suite_passes_against_a_live_boxq() throws Exception {
        Path dir = OtherClientSuite.CLIENTS.resolve("typescript");
        assertThat(dir.resolve("node_modules/standardwebhooks/package.json"))
                .as("clients/typescript/node_modules: run scripts/setup.sh --for test (npm ci)").exists();
        List<String> command = new ArrayList<>(List.of("node", "--test"));
        try (Stream<Path> files = Files.list(dir.resolve("test"))) {
            files.map(f -> "test/" + f.getFileName()).filter(f -> f.endsWith(".test.js")).sorted().forEach(command::add);
        }
        assertThat(command).hasSizeGreaterThan(2);
        OtherClientSuite.run("typescript-client", dir, command);
    }
}
