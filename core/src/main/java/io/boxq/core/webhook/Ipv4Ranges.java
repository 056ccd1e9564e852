package io.boxq.core.webhook;

import java.util.List;
import java.util.Optional;

/** IPv4 ranges a webhook may not reach (IANA special-purpose registry, plus CGNAT and metadata). */
final class Ipv4Ranges {
    private record Range(int network, int prefix, String why) {
        boolean contains(int address) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return (address & mask) == (network & mask);
        }
    }

    private static final List<Range> REFUSED = List.of(
            range(169, 254, 169, 254, 32, "the cloud metadata address"),
            range(0, 0, 0, 0, 8, "an unspecified (this-network) address"),
            range(10, 0, 0, 0, 8, "a private address"),
            range(100, 64, 0, 0, 10, "a shared (CGNAT) address"),
            range(127, 0, 0, 0, 8, "a loopback address"),
            range(169, 254, 0, 0, 16, "a link-local address"),
            range(172, 16, 0, 0, 12, "a private address"),
            range(192, 0, 0, 0, 24, "an IETF protocol address"),
            range(192, 0, 2, 0, 24, "a documentation address"),
            range(192, 88, 99, 0, 24, "a 6to4 relay address"),
            range(192, 168, 0, 0, 16, "a private address"),
            range(198, 18, 0, 0, 15, "a benchmarking address"),
            range(198, 51, 100, 0, 24, "a documentation address"),
            range(203, 0, 113, 0, 24, "a documentation address"),
            range(224, 0, 0, 0, 4, "a multicast address"),
            range(240, 0, 0, 0, 4, "a reserved or broadcast address"));

    private Ipv4Ranges() {}

    static Optional<String> refusal(byte[] b) {
        int address = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        for (Range r : REFUSED) {
            if (r.contains(address)) {
                return Optional.of(r.why());
            }
        }
        return Optional.empty();
    }

    private static Range range(int a, int b, int c, int d, int prefix, String why) {
        return new Range(a << 24 | b << 16 | c << 8 | d, prefix, why);
    }
}
