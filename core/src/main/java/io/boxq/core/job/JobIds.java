package io.boxq.core.job;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids that cannot be guessed: another key's job is not found by counting. */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {}

    public static String newJobId() {
        return "job_" + random(12);
    }

    public static String random(int bytes) {
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
