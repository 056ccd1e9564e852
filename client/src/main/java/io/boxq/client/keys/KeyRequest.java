package io.boxq.client.keys;

/**
 * What {@code POST /v1/keys} takes: a {@code user} and a {@code tier} ({@code free}, {@code pro},
 * {@code enterprise}); the limits, when set, replace the tier's for this key.
 */
public record KeyRequest(String user, String tier, String name, String webhookUrl, Integer maxSandboxes,
        Integer memoryMb, Integer concurrentJobs, Integer requestsPerMinute) {

    public static KeyRequest of(String user, String tier) {
        return new KeyRequest(user, tier, null, null, null, null, null, null);
    }

    public KeyRequest withName(String n) {
        return new KeyRequest(user, tier, n, webhookUrl, maxSandboxes, memoryMb, concurrentJobs, requestsPerMinute);
    }

    public KeyRequest withWebhookUrl(String url) {
        return new KeyRequest(user, tier, name, url, maxSandboxes, memoryMb, concurrentJobs, requestsPerMinute);
    }

    public KeyRequest withRequestsPerMinute(int n) {
        return new KeyRequest(user, tier, name, webhookUrl, maxSandboxes, memoryMb, concurrentJobs, n);
    }

    public KeyRequest withConcurrentJobs(int n) {
        return new KeyRequest(user, tier, name, webhookUrl, maxSandboxes, memoryMb, n, requestsPerMinute);
    }

    public KeyRequest withMaxSandboxes(int n) {
        return new KeyRequest(user, tier, name, webhookUrl, n, memoryMb, concurrentJobs, requestsPerMinute);
    }
}
