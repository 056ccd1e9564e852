package io.boxq.core.webhook;

import java.util.Arrays;
import java.util.Optional;

/**
 * IPv6 addresses a webhook may not reach: everything outside global unicast {@code 2000::/3}, and
 * Teredo, benchmarking and documentation ranges inside it. Forms that carry an IPv4 address
 * (mapped {@code ::ffff:0:0/96}, compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96}, 6to4
 * {@code 2002::/16}) are judged by that IPv4 address, so {@code ::ffff:127.0.0.1} is loopback
 * however it is written.
 */
final class Ipv6Ranges {
    private static final byte[] METADATA = {(byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

    private Ipv6Ranges() {}

    static Optional<String> refusal(byte[] b) {
        if (Arrays.equals(b, METADATA)) {
            return Optional.of("the cloud metadata address");
        }
        if (zero(b, 0, 15)) {
            return Optional.of(b[15] == 0 ? "an unspecified address" : b[15] == 1 ? "a loopback address"
                    : embedded(b, 12).orElse("a deprecated IPv4-compatible address"));
        }
        if (zero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
            return embedded(b, 12);
        }
        if (zero(b, 0, 12)) {
            return Optional.of(embedded(b, 12).orElse("a deprecated IPv4-compatible address"));
        }
        if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && zero(b, 4, 12)) {
            return embedded(b, 12);
        }
        if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && b[4] == 0 && b[5] == 1) {
            return Optional.of("a local-use NAT64 address");
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return embedded(b, 2);
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if ((first & 0xe0) != 0x20) {
            return Optional.of(outsideGlobalUnicast(first, second));
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
            return Optional.of("a Teredo address");
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0x02 && b[4] == 0 && b[5] == 0) {
            return Optional.of("a benchmarking address");
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) {
            return Optional.of("a documentation address");
        }
        return Optional.empty();
    }

    /** Only 2000::/3 is global unicast; everything else is named for the refusal message. */
    private static String outsideGlobalUnicast(int first, int second) {
        if (first == 0xff) {
            return "a multicast address";
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return "a link-local address";
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return "a site-local address";
        }
        if ((first & 0xfe) == 0xfc) {
            return "a private (unique-local) address";
        }
        return "a reserved address";
    }

    /** The refusal of the IPv4 address at {@code b[at..at+3]}, if it is refused. */
    private static Optional<String> embedded(byte[] b, int at) {
        return Ipv4Ranges.refusal(Arrays.copyOfRange(b, at, at + 4));
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
