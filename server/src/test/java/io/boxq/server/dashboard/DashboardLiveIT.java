package io.boxq.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard keeps itself current: with the page open in a headless Chromium (through
 * chromedriver, so the page stays open), a job submitted after the first drawing shows up on the
 * same page, ended, and no reload happened. Its own server, so that
 * the jobs it adds do not change the exact figures {@link DashboardIT} checks.
 */
class DashboardLiveIT {
    private static final Path TARGET = Path.of("target");
    private static final Duration PAGE_LIMIT = Duration.ofSeconds(60);
    private static final String ROW = "return document.querySelector('[data-job=\"' + arguments[0] + '\"]') !== null;";
    private static final String STATE = "const row = document.querySelector('[data-job=\"' + arguments[0] + '\"]');"
            + " return row ? row.querySelector('[data-field=\"job-state\"]').textContent : null;";

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("dashboard-live", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String userKey;

    @BeforeAll
    static void start() {
        userKey = api.createKey(server.adminKey(), TestEnvironment.unique("ops"), "free").path("key").asText();
    }

    @Test
    void a_job_submitted_after_the_page_was_drawn_appears_on_it_without_a_reload() throws Exception {
        String before = api.run(userKey, "echo before").path("id").asText();
        server.node().heartbeat();
        Files.createDirectories(TARGET);
        try (ChromeDriverSession browser = new ChromeDriverSession(Files.createTempDirectory(TARGET, "chromedriver-"))) {
            browser.open(api.base().resolve("/") + "#key=" + server.adminKey());
            await("the first drawing").atMost(PAGE_LIMIT)
                    .until(() -> browser.script(ROW, before).asBoolean());
            browser.script("window.boxqSamePage = 'marked before the job'; return null;");

            String after = api.run(userKey, "echo after").path("id").asText();

            await("the new job, ended, on the same page").atMost(PAGE_LIMIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> "succeeded".equals(browser.script(STATE, after).asText(null)));
            assertThat(browser.script(ROW, before).asBoolean()).as("the older job is still listed").isTrue();
            assertThat(browser.script("return window.boxqSamePage || null;").asText(null))
                    .as("no reload: the page's own state survived; chromedriver log:\n%s", browser.logTail())
                    .isEqualTo("marked before the job");
        }
    }
}
