package io.boxq.core.webhook;

import java.util.Locale;

/** Where a webhook delivery is: attempts to come, or done one of three ways. */
public enum DeliveryStatus {
    /** More attempts are to come (or the first one is). */
    PENDING,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** Every attempt of the schedule failed. */
    FAILED,
    /** The receiver answered 410 Gone (or the job had expired before an attempt): no more attempts. */
    STOPPED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for a name that is not a status */
    public static DeliveryStatus fromWire(String name) {
        for (DeliveryStatus s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown delivery status: " + name);
    }
}
