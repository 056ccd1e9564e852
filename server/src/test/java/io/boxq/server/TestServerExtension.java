package io.boxq.server;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link BoxqTestServer} for a whole test class, instead of a {@code @BeforeAll}/{@code @AfterAll}
 * pair in each: started before the class's first test (and before its own {@code @BeforeAll}
 * methods), stopped after its last, with {@link BoxqTestServer#stopAndAssertClean()}. Like JUnit's
 * {@code @TempDir}, it fills the class's static fields of type {@link BoxqTestServer} and
 * {@link BoxqClient} before any {@code @BeforeAll} runs.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestServerExtension boxq = new TestServerExtension("slice", Map.of());
 * private static BoxqTestServer server; // set by the extension
 * private static BoxqClient client;     // set by the extension: server.client
 * }</pre>
 */
public final class TestServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final String testName;
    private final Map<String, String> overrides;
    private BoxqTestServer server;

    /** @param overrides change the {@link TestEnvironment#serverEnv} */
    public TestServerExtension(String testName, Map<String, String> overrides) {
        this.testName = testName;
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        server = BoxqTestServer.start(testName, overrides);
        for (Field f : context.getRequiredTestClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers())) {
                if (f.getType() == BoxqTestServer.class) {
                    f.setAccessible(true);
                    f.set(null, server);
                } else if (f.getType() == BoxqClient.class) {
                    f.setAccessible(true);
                    f.set(null, server.client);
                }
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stopAndAssertClean();
            server = null;
        }
    }

    public BoxqTestServer server() {
        if (server == null) {
            throw new IllegalStateException("the server of " + testName + " runs only while its class does");
        }
        return server;
    }

    public BoxqClient client() {
        return server().client;
    }
}
