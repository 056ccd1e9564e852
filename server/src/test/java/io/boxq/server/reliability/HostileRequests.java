package io.boxq.server.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile HTTP requests against every route of the api: wrong methods, path tricks,
 * odd ids, hostile query parameters, bad and duplicated headers, and bodies from random JSON to
 * 1000-level nesting, 1 MB strings, NUL bytes, out-of-range numbers and 10 MB of junk. Request
 * {@code i} depends only on the seed and {@code i}, so a run is reproducible whatever the thread
 * interleaving.
 */
final class HostileRequests {
    /** The real things a request may name, so that some requests get past "not found". */
    record Targets(String userKey, String adminKey, String jobId, String sandboxId, String spareKeyId) {}

    /** One request to send with java.net.http: method, path with query, headers (name, value pairs), body. */
    record Request(String method, String path, List<String[]> headers, byte[] body, boolean chunked) {
        String describe() {
            String b = body == null ? "no body" : body.length + " bytes "
                    + new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8).replace('\n', ' ');
            return method + " " + (path.length() > 200 ? path.substring(0, 200) + "…" : path) + " " + headerNames()
                    + (chunked ? " chunked " : " ") + b;
        }

        private List<String> headerNames() {
            return headers.stream().map(h -> h[0]).toList();
        }
    }

    private static final String[][] ROUTES = {
        {"POST", "/v1/jobs"}, {"POST", "/v1/jobs/batch"}, {"GET", "/v1/jobs"}, {"GET", "/v1/jobs/{job}"}, {"POST", "/v1/jobs/{job}/cancel"},
        {"GET", "/v1/jobs/{job}/deliveries"}, {"POST", "/v1/sandboxes"}, {"GET", "/v1/sandboxes"},
        {"GET", "/v1/sandboxes/{sbx}"}, {"DELETE", "/v1/sandboxes/{sbx}"}, {"POST", "/v1/sandboxes/{sbx}/keepalive"},
        {"PUT", "/v1/sandboxes/{sbx}/files"}, {"GET", "/v1/sandboxes/{sbx}/files"}, {"GET", "/v1/sandboxes/{sbx}/stats"},
        {"POST", "/v1/keys"}, {"GET", "/v1/keys"}, {"DELETE", "/v1/keys/{key}"}, {"PATCH", "/v1/keys/{key}"},
        {"GET", "/v1/quota/usage"}, {"GET", "/v1/system/stats"}, {"POST", "/v1/system/cleanup"}, {"GET", "/v1/audit"},
        {"GET", "/v1/webhook-secret"}, {"POST", "/v1/webhook-secret/rotate"}, {"GET", "/health"}, {"GET", "/metrics"},
        {"GET", "/openapi.json"}, {"GET", "/v1/jobs/{job}/events"}, {"GET", "/v1/system/overview"}, {"POST", "/mcp"},
        {"GET", "/mcp"}, {"DELETE", "/mcp"}, {"GET", "/"},
    };
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE",
        "PROPFIND", "FOO", "get", "M-SEARCH"};
    private static final String[] IDS = {"..", "%2e%2e", "%2E%2E%2Fkeys", ".", "%00", "a%00b", "%ff%fe", "a%2Fb",
        "job_../../x", "%252e%252e", "null", "-1", "9223372036854775808", "job_000000000000000000000000",
        "sbx_000000000000", "job_" + "a".repeat(10_000), "%C3%BC%E6%97%A5%E6%9C%AC", "%F0%9F%92%A9", "%20", "~",
        "job_%0d%0aX-Injected:%20yes", "key_zzz", "%u002e", "..%2f..%2f..%2fetc%2fpasswd", "*", "$", "%"};
    private static final String[] QUERIES = {"wait=-1", "wait=1e9", "wait=abc", "wait=0", "wait=1", "wait=2",
        "wait=99999999999999999999", "wait=", "wait=1&wait=2", "limit=abc", "limit=-1", "limit=0", "limit=101",
        "limit=1e3", "limit=9999999999", "cursor=abc", "cursor=-1", "cursor=99999999999999999999", "cursor=1-1", "cursor=99999999999999999999-0",
        "cursor=9223372036854775808-1",
        "cursor=0-0", "state=bogus", "state=running", "state=", "path=../../x", "path=/etc/passwd", "path=%00",
        "path=/workspace/ok.txt", "path=", "path=/workspace/../etc/shadow", "path=%2e%2e%2f%2e%2e%2fx",
        "path=/workspace/" + "d/".repeat(600), "foo=bar", "x=" + "y".repeat(5_000), "=", "&&&", "%zz=1",
        "w%C3%BC=%F0%9F%92%A9", "ttl_s=-5"};
    private static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/json; charset=utf-16",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/octet-stream", "%%%",
        "application/json; charset=nonsense"};

    private final long seed;
    private final Targets targets;

    HostileRequests(long seed, Targets targets) {
        this.seed = seed;
        this.targets = targets;
    }

    Request request(int i) {
        Random r = new Random(seed * 1_000_003L + i);
        String[] route = ROUTES[r.nextInt(ROUTES.length)];
        String method = r.nextInt(5) == 0 ? pick(r, METHODS) : route[0];
        String path = twist(r, route[1].replace("{job}", id(r, targets.jobId(), 30))
                .replace("{sbx}", id(r, targets.sandboxId(), 3)).replace("{key}", id(r, targets.spareKeyId(), 10)));
        if (r.nextInt(3) == 0) {
            path += "?" + query(r);
        }
        byte[] body = method.equals("HEAD") || r.nextInt(6) == 0 ? null : HostileBodies.body(r, route[1]);
        if (route[1].contains("{sbx}") && path.contains(String.valueOf(targets.sandboxId())) && body != null
                && body.length > 4096) {
            body = HostileBodies.json(r); // the real sandbox gets small writes only: a 10 MB file is a legit 60 s call
        }
        return new Request(method, path, headers(r), body, body != null && body.length > 0 && r.nextInt(8) == 0);
    }

    private static String id(Random r, String real, int percentReal) {
        if (real != null && r.nextInt(100) < percentReal) {
            return real;
        }
        return pick(r, IDS);
    }

    private static String twist(Random r, String path) {
        return switch (r.nextInt(14)) {
            case 0 -> path.replaceFirst("/v1/", "/v1//");
            case 1 -> path + "/";
            case 2 -> path.replaceFirst("/v1/", "/v1/./");
            case 3 -> path.replaceFirst("/v1/", "/v1/x/../");
            case 4 -> path.replaceFirst("/v1/", "/v1/%2e%2e/v1/");
            case 5 -> path.toUpperCase(java.util.Locale.ROOT);
            case 6 -> path + ";jsessionid=1";
            case 7 -> "//" + path;
            default -> path;
        };
    }

    private static String query(Random r) {
        List<String> parts = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
            parts.add(pick(r, QUERIES));
        }
        return String.join("&", parts);
    }

    private List<String[]> headers(Random r) {
        List<String[]> h = new ArrayList<>();
        switch (r.nextInt(20)) {
            case 0, 1 -> { } // no credentials
            case 2 -> h.add(new String[] {"Authorization", "Bearer " + "k".repeat(r.nextInt(2) == 0 ? 300 : 20)});
            case 3 -> {
                h.add(new String[] {"Authorization", "Bearer " + targets.userKey()});
                h.add(new String[] {"Authorization", "Bearer bogus"});
            }
            case 4 -> h.add(new String[] {"Authorization", "Basic " + targets.userKey()});
            case 5 -> h.add(new String[] {"X-API-Key", targets.userKey()});
            case 6 -> h.add(new String[] {"Authorization", "bearer    " + targets.userKey() + "   "});
            case 7 -> h.add(new String[] {"Authorization", "Bearer"});
            case 8, 9, 10, 11 -> h.add(new String[] {"Authorization", "Bearer " + targets.adminKey()});
            default -> h.add(new String[] {"Authorization", "Bearer " + targets.userKey()});
        }
        if (r.nextInt(3) > 0) {
            h.add(new String[] {"Content-Type", pick(r, CONTENT_TYPES)});
        }
        if (r.nextInt(6) == 0) {
            h.add(new String[] {"Idempotency-Key", pick(r, new String[] {"k1", "", "x".repeat(300), "a b", "k1"})});
        }
        if (r.nextInt(12) == 0) {
            h.add(new String[] {"Content-Encoding", "gzip"});
        }
        if (r.nextInt(12) == 0) {
            h.add(new String[] {"X-Padding", "p".repeat(r.nextInt(2) == 0 ? 1_000 : 20_000)});
        }
        if (r.nextInt(12) == 0) {
            h.add(new String[] {"Accept", pick(r, new String[] {"text/html", "*/*;q=x", "application/xml", ""})});
        }
        return h;
    }

    static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }
}
