package io.boxq.core.redis;

/** Every Redis key name boxq uses (DESIGN.md §3), under one prefix so that tests can keep apart. */
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

    public String keyJobs(String keyId) {
        return prefix + "key:" + keyId + ":jobs";
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

    /** The pub/sub channel that carries the id of every job that reached a terminal state. */
    public String doneChannel() {
        return prefix + "done";
    }
}
