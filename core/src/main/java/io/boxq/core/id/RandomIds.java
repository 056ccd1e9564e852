package io.boxq.core.id;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Ids and secrets that cannot be guessed, for every kind of record (jobs, sandboxes, keys,
 * snapshots, MCP sessions): another key's record is not found by counting.
 */
public final class RandomIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomIds() {}

    /** {@code bytes} random bytes as lower-case hex (twice as many characters). */
    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** True when {@code id} has the shape of an id made here, so junk never reaches Redis key names. */
    public static boolean looksLikeId(String id, String prefix) {
        return id != null && id.length() <= 64 && id.startsWith(prefix)
                && id.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }
}
