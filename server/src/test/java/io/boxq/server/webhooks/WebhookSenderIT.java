package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.webhook.AddressPolicy;
import io.boxq.executor.webhook.WebhookSender;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's connect-time check, with a real receiver on 127.0.0.1: the HTTP client connects only
 * to addresses the policy resolved and checked (its own resolver is never used), so a name that
 * resolves to a refused address is never connected to, whatever the submit-time check saw.
 */
class WebhookSenderIT {
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);
    private final Receiver receiver = Receiver.answering(200);
    private WebhookSender sender;

    @AfterEach
    void close() {
        if (sender != null) {
            sender.close();
        }
        receiver.close();
    }

    @Test
    void a_literal_loopback_address_is_refused_before_any_connection_is_made() {
        sender = new WebhookSender(AddressPolicy.of(io.boxq.core.config.WebhookConfig.defaults()), Duration.ofSeconds(2));

        WebhookSender.Outcome outcome = sender.send(URI.create(receiver.url("/hook")), Map.of(), BODY);

        assertThat(outcome.statusCode()).isNull();
        assertThat(outcome.error()).startsWith("refused: ").contains("loopback");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void a_name_that_resolves_to_a_refused_address_at_send_time_is_refused() {
        sender = new WebhookSender(new AddressPolicy(false, List.of(), dns("hooks.rebind.test")), Duration.ofSeconds(2));

        WebhookSender.Outcome outcome = sender.send(URI.create(url("hooks.rebind.test")), Map.of(), BODY);

        assertThat(outcome.error()).contains("refused", "loopback").doesNotContain("127.0.0.1");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void the_client_connects_to_the_address_the_policy_checked_and_resolves_nothing_itself() {
        AtomicInteger lookups = new AtomicInteger();
        AddressPolicy.Lookup counting = host -> {
            lookups.incrementAndGet();
            return dns("hooks.allowed.test").resolve(host);
        };
        sender = new WebhookSender(new AddressPolicy(false, List.of("hooks.allowed.test"), counting), Duration.ofSeconds(2));

        WebhookSender.Outcome outcome = sender.send(URI.create(url("hooks.allowed.test")),
                Map.of("webhook-id", "msg_1"), BODY);

        // "hooks.allowed.test" exists only in the policy's lookup: a request arriving proves the
        // client connected to the address that lookup gave (and the policy allowed).
        assertThat(outcome.statusCode()).isEqualTo(200);
        assertThat(outcome.delivered()).isTrue();
        assertThat(receiver.requests()).hasSize(1);
        assertThat(receiver.requests().get(0).header("host")).startsWith("hooks.allowed.test");
        assertThat(lookups.get()).isEqualTo(1);
    }

    private String url(String host) {
        return receiver.url("/hook").replace("127.0.0.1", host);
    }

    /** A resolver that knows one name, which points at the receiver. */
    private static AddressPolicy.Lookup dns(String name) {
        return host -> {
            if (host.equals(name)) {
                return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            }
            throw new UnknownHostException(host);
        };
    }
}
