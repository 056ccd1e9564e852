package io.boxq.core.redis;

import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** The real Redis of the core ITs: {@code REDIS_URL} (scripts/test.sh sets it), keys under a prefix of the test's own. */
final class TestRedis {
    private TestRedis() {}

    static Redis connect(String prefix) {
        return new Redis(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"), prefix, 4);
    }

    /** Deletes every key under {@code prefix} (SCAN MATCH, then DEL) and closes the connection. */
    static void deleteAllAndClose(Redis redis, String prefix) {
        ScanParams match = new ScanParams().match(prefix + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            String from = cursor;
            ScanResult<String> page = redis.call(j -> j.scan(from, match));
            page.getResult().forEach(k -> redis.run(j -> j.del(k)));
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        redis.close();
    }
}
