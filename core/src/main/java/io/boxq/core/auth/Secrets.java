package io.boxq.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashing and comparing API key secrets. */
public final class Secrets {
    private Secrets() {}

    public static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in time independent of where the strings differ. */
    public static boolean constantTimeEquals(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The first characters of a secret, for logs and the printed config. */
    public static String mask(String secret) {
        if (secret == null) {
            return "(unset)";
        }
        return secret.length() <= 8 ? "****" : secret.substring(0, 6) + "…(" + secret.length() + " chars)";
    }
}
