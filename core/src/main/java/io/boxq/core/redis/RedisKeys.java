package io.boxq.core.redis;

/** Every Redis key name boxq uses (docs/architecture.md, "Redis layout"), under one prefix so that tests can keep apart. */
public record RedisKeys(String prefix) {
    public static final String GROUP = "executors";

    public String jobsStream() {
        return prefix + "jobs";
    }

    public String nodeStream(String node) {
        return prefix + "node:" + node + ":jobs";
    }

    public String job(String id) {
        return prefix + "job:" + id;
    }

    /** A job's live output: chunks of its streams while it runs, and an end marker (stream). */
    public String jobOutput(String id) {
        return prefix + "out:" + id;
    }

    public String keyJobs(String keyId) {
        return prefix + "key:" + keyId + ":jobs";
    }

    /**
     * Jobs by state: how many are queued and running now, and how many ever ended in each terminal
     * state (hash, kept by the job scripts).
     */
    public String jobStates() {
        return prefix + "jobs:states";
    }

    public String keyBacklog(String keyId) {
        return prefix + "key:" + keyId + ":backlog";
    }

    public String keyRunning(String keyId) {
        return prefix + "key:" + keyId + ":running";
    }

    public String apiKey(String sha256) {
        return prefix + "apikey:" + sha256;
    }

    public String apiKeyIndex() {
        return prefix + "apikeys";
    }

    public String user(String user) {
        return prefix + "user:" + user;
    }

    public String node(String node) {
        return prefix + "node:" + node;
    }

    public String nodes() {
        return prefix + "nodes";
    }

    public String audit() {
        return prefix + "audit";
    }

    public String sandbox(String id) {
        return prefix + "sandbox:" + id;
    }

    public String sandboxes() {
        return prefix + "sandboxes";
    }

    public String keySandboxes(String keyId) {
        return prefix + "key:" + keyId + ":sandboxes";
    }

    public String userSandboxes(String user) {
        return prefix + "user:" + user + ":sandboxes";
    }

    public String nodeSandboxes(String node) {
        return prefix + "node:" + node + ":sandboxes";
    }

    /** A key's ended sandboxes whose records are still kept (zset, score = ended at, ms). */
    public String keyEndedSandboxes(String keyId) {
        return prefix + "key:" + keyId + ":ended_sandboxes";
    }

    /** A sandbox's sampled resource history (stream, oldest first, bounded). */
    public String sandboxStats(String sandboxId) {
        return prefix + "stats:" + sandboxId;
    }

    /** What a key used on one UTC day ({@code yyyy-mm-dd}): jobs, run seconds, sandbox seconds. */
    public String usage(String keyId, String day) {
        return prefix + "usage:" + keyId + ":" + day;
    }

    /** What all keys together used on one UTC day. */
    public String usageTotal(String day) {
        return prefix + "usage:total:" + day;
    }

    /** Usage of ended jobs not yet added to the day hashes (list, one entry per job: {@code PendingUsage}). */
    public String usagePending() {
        return prefix + "usage:pending";
    }

    /**
     * The newest jobs of all keys in submit order (stream of {@code job} entries, exactly capped): the
     * admin overview's recent jobs. (Earlier versions kept a zset under {@code jobs:recent}; it is no
     * longer read.)
     */
    public String recentJobs() {
        return prefix + "jobs:latest";
    }

    /** The newest resource violations of all sandboxes (list of JSON, newest first, capped). */
    public String recentViolations() {
        return prefix + "violations:recent";
    }

    /** Requests per window of a key: one counter per key and minute. */
    public String rateLimit(String keyId, long window) {
        return prefix + "ratelimit:" + keyId + ":" + window;
    }

    /** Where XAUTOCLAIM of {@code stream} continues from. */
    public String reclaimCursor(String stream) {
        return stream + ":reclaim-cursor";
    }

    /** Entries delivered too often without finishing. */
    public String deadLetters() {
        return prefix + "dead-letters";
    }

    /** An Idempotency-Key of an API key: the job it made and the hash of the body. */
    public String idempotency(String keyId, String keyHash) {
        return prefix + "idem:" + keyId + ":" + keyHash;
    }

    /** An MCP session of {@code /mcp}: the key it belongs to, its protocol version (hash, sliding TTL). */
    public String mcpSession(String id) {
        return prefix + "mcp:" + id;
    }

    /** A global lock (SET NX PX) so that one node at a time runs a global sweep. */
    public String lock(String name) {
        return prefix + "lock:" + name;
    }

    /** Where nodes report what a cleanup request removed (node id → count). */
    public String cleanupResults(String request) {
        return prefix + "cleanup:" + request;
    }

    /** The pub/sub channel on which the api asks every node to do something now (cleanup). */
    public String controlChannel() {
        return prefix + "control";
    }

    /**
     * The pub/sub channel on which a change to an API key (revoked, limits or webhook changed) or to
     * a user's tier is announced, so every api process drops what it cached of keys.
     */
    public String keysChangedChannel() {
        return prefix + "keys:changed";
    }

    /** The pub/sub channel that carries the id of every job that reached a terminal state. */
    public String doneChannel() {
        return prefix + "done";
    }

    /** Webhook deliveries (job ids) by the time of their next attempt, in epoch millis. */
    public String webhooksDue() {
        return prefix + "webhooks:due";
    }

    /** The delivery record of a job's webhook: id, url, status, attempt count. */
    public String webhook(String jobId) {
        return prefix + "webhook:" + jobId;
    }

    /** The attempts of a job's webhook, one JSON object each, oldest first. */
    public String webhookAttempts(String jobId) {
        return prefix + "webhook:" + jobId + ":attempts";
    }

    /** A key's {@code whsec_} webhook secret, and after a rotation the previous one until it expires. */
    public String webhookSecrets(String keyId) {
        return prefix + "key:" + keyId + ":whsec";
    }
}
