package io.boxq.core.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The submit-time check of a webhook URL (a job's {@code callback_url}, a key's {@code webhook_url}):
 * an absolute http or https URL without user info whose host resolves only to addresses the
 * {@link AddressPolicy} allows. The sender checks again when it connects (the check that counts);
 * this one gives the submitter a 400 early. A host that does not resolve now is let through: the
 * delivery log will say so. Messages never name the address a host name resolved to.
 */
public final class CallbackUrlCheck {
    public static final int MAX_LENGTH = 2048;

    private final AddressPolicy policy;

    public CallbackUrlCheck(AddressPolicy policy) {
        this.policy = policy;
    }

    /** What is wrong with {@code url}, phrased to follow the field name; empty when it is fine. */
    public Optional<String> problem(String url) {
        URI uri;
        try {
            uri = parse(url);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        try {
            policy.resolve(uri.getHost());
            return Optional.empty();
        } catch (ForbiddenAddressException e) {
            boolean literal = uri.getHost().startsWith("[") || uri.getHost().matches("[0-9.]+");
            return Optional.of((literal ? "is " : "resolves to ") + e.reason()
                    + ", which webhooks may not reach (loopback, private, link-local, multicast and metadata"
                    + " addresses are refused)");
        } catch (UnknownHostException e) {
            // Not judged here: it may resolve later, and the sender checks again when it connects.
            return Optional.empty();
        }
    }

    /**
     * Parses a webhook URL without resolving it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static URI parse(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be an http or https URL of at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new IllegalArgumentException("must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not hold a user name or password");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a fragment");
        }
        return uri;
    }
}
