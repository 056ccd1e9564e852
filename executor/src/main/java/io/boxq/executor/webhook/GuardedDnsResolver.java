package io.boxq.executor.webhook;

import io.boxq.core.webhook.AddressPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The HTTP client's resolver for webhooks: resolves once, checks every address with the
 * {@link AddressPolicy}, and hands the client exactly the addresses it checked. The client never
 * resolves on its own, so a DNS answer that changes between check and connect (rebinding) does not
 * get around the check. A refused host throws {@link io.boxq.core.webhook.ForbiddenAddressException}
 * before any socket is opened.
 */
final class GuardedDnsResolver implements DnsResolver {
    private final AddressPolicy policy;

    GuardedDnsResolver(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return policy.resolve(host);
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
    }
}
