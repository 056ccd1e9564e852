package io.boxq.core.sandbox;

import java.util.Locale;

/**
 * How a sandbox ended. An ended sandbox keeps its record, readable by its owner, for
 * {@code ENDED_SANDBOX_RETENTION_SECONDS}; it holds no quota place and nothing can run in it.
 */
public enum SandboxEnd {
    /** The resource monitor ended it (critical memory). */
    TERMINATED,
    /** Past its lifetime, or idle past its idle timeout. */
    EXPIRED,
    /** Its owner deleted it. */
    DELETED,
    /** Its node died, or its container or runner was lost and could not be brought back. */
    LOST;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
