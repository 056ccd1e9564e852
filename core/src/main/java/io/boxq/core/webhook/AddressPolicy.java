package io.boxq.core.webhook;

import io.boxq.core.config.WebhookConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses a webhook may be sent to (docs/architecture.md, "Webhooks"). Used twice with the same rules: by the
 * api when a {@code callback_url} is submitted, and by the sender's resolver at connect time, so the
 * address that was checked is the address connected to. It works on {@link InetAddress} only; the
 * HTTP client's adapter lives in the executor.
 *
 * <p>Refused unless private addresses are allowed or the host is allow-listed: unspecified,
 * loopback, RFC 1918 and unique-local, link-local (which holds the cloud metadata address
 * 169.254.169.254), CGNAT 100.64/10 (Alibaba's metadata 100.100.100.200), multicast, broadcast and
 * reserved ranges, and IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) when
 * the embedded address is refused.
 */
public final class AddressPolicy {
    private final boolean allowPrivate;
    private final Set<String> allowlist;
    private final Lookup lookup;

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public AddressPolicy(boolean allowPrivate, List<String> allowlist, Lookup lookup) {
        this.allowPrivate = allowPrivate;
        this.allowlist = Set.copyOf(allowlist.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.lookup = lookup;
    }

    public static AddressPolicy of(WebhookConfig config) {
        return new AddressPolicy(config.allowPrivate(), config.allowlist(), InetAddress::getAllByName);
    }

    /** True when {@code host} may resolve to any address: private addresses are allowed, or it is listed. */
    public boolean trusts(String host) {
        return allowPrivate || allowlist.contains(normalize(host));
    }

    /**
     * Resolves {@code host} once and checks every address.
     *
     * @return the addresses to connect to: exactly those that were checked
     * @throws ForbiddenAddressException when any address is refused (a mixed answer is refused whole)
     * @throws UnknownHostException when the name does not resolve
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String name = normalize(host);
        InetAddress[] addresses = lookup.resolve(name);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        if (!trusts(name)) {
            for (InetAddress a : addresses) {
                Optional<String> why = refusal(a);
                if (why.isPresent()) {
                    throw new ForbiddenAddressException(host, a, why.get());
                }
            }
        }
        return addresses.clone();
    }

    /** Why {@code address} may not be called unless trusted, or empty when it is a public address. */
    public static Optional<String> refusal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address || b.length == 4) {
            return Ipv4Ranges.refusal(b);
        }
        return Ipv6Ranges.refusal(b);
    }

    private static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
