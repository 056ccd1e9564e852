package io.boxq.core.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A webhook host resolved to an address the {@link AddressPolicy} refuses. It is an
 * {@link UnknownHostException} so that an HTTP client's resolver may throw it where a lookup fails:
 * the connection is then never opened.
 */
public class ForbiddenAddressException extends UnknownHostException {
    private final transient InetAddress address;
    private final String reason;

    public ForbiddenAddressException(String host, InetAddress address, String reason) {
        super(host + " resolves to " + reason);
        this.address = address;
        this.reason = reason;
    }

    /** The refused address: for logs and the delivery log, not for the submitter of a URL. */
    public InetAddress address() {
        return address;
    }

    /** What kind of address it is, e.g. "a loopback address". */
    public String reason() {
        return reason;
    }
}
