package io.boxq.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A key as the admin routes show it. {@code key}, the secret to send, is there only in the answer
 * to {@link Keys#create}: the server keeps no copy it could show again.
 */
public record ApiKey(String id, String user, String tier, String name, Instant createdAt, JsonNode limits,
        String webhookUrl, String key) {}
