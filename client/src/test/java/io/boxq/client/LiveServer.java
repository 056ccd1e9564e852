package io.boxq.client;

import io.boxq.client.keys.KeyRequest;
import io.boxq.server.BoxqTestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One boxq (api, executor node and maintenance, in this JVM, through the server's own test
 * harness) for all the ITs of this module, started by the first that needs it and stopped, with
 * its containers and Redis keys checked gone, when the run ends. Webhooks may go to loopback.
 */
public final class LiveServer implements BeforeAllCallback, AutoCloseable {
    private static BoxqTestServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LiveServer.class) {
            if (server == null) {
                server = BoxqTestServer.start("clients", Map.of("WEBHOOK_ALLOW_PRIVATE", "true",
                        "WEBHOOK_DISPATCH_INTERVAL_SECONDS", "1", "MAX_POOL_SIZE", "16"));
                server.runMaintenance();
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(LiveServer.class, this);
            }
        }
    }

    @Override
    public void close() {
        synchronized (LiveServer.class) {
            server.stopAndAssertClean();
            server = null;
        }
    }

    public static String url() {
        return server.client.base().toString();
    }

    public static String adminKey() {
        return server.adminKey();
    }

    public static BoxqClient admin() {
        return BoxqClient.create(url(), adminKey());
    }

    /** A client with a new key of the pro tier, for a user of its own. */
    public static BoxqClient newUser() {
        return BoxqClient.create(url(), newKey(KeyRequest.of(user(), "pro")));
    }

    public static String newKey(KeyRequest request) {
        return admin().keys().create(request).key();
    }

    public static String user() {
        return "u-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
