package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.FileExit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Both runners give a file call's outcome in the codes of {@link FileExit}, which the api decodes. */
class FileExitTest {
    @Test
    void theAgentDefinesTheSameCodes() throws IOException {
        String source;
        try (InputStream in = FileExitTest.class.getResourceAsStream("/io/boxq/executor/agent/boxq-agent.c")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Integer> expected = Map.of("FILE_NOT_FOUND", FileExit.NOT_FOUND, "FILE_OUTSIDE", FileExit.OUTSIDE,
                "FILE_DIRECTORY", FileExit.DIRECTORY);
        expected.forEach((name, code) -> {
            Matcher m = Pattern.compile("(?m)^#define " + name + " (\\d+)").matcher(source);
            assertThat(m.find()).as(name + " is defined").isTrue();
            assertThat(Integer.parseInt(m.group(1))).as(name).isEqualTo(code);
        });
    }

    @Test
    void theScriptsExitWithTheCodesFilledIn() {
        for (String script : new String[] {ScriptedOps.READ_FILE, ScriptedOps.WRITE_FILE}) {
            assertThat(script).doesNotContain("@")
                    .contains("exit " + FileExit.NOT_FOUND + ";", "exit " + FileExit.OUTSIDE + ";",
                            "exit " + FileExit.DIRECTORY + ";");
        }
    }
}
