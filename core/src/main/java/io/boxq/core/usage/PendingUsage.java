package io.boxq.core.usage;

import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage of ended jobs on its way to the day hashes. {@code complete.lua} appends one entry per
 * job to the {@code usage:pending} list in the call that stores the end (one command, so each job
 * still counts exactly once, on the day it ended), instead of six increments on the key's and the
 * totals' day hashes. {@link #fold} moves the entries into those hashes, summed per hash: the node
 * that appends every {@link #FOLD_EVERY}-th entry folds, and every reader of usage folds first, so
 * what it reads is exact.
 */
public final class PendingUsage {
    /** The node whose append makes the list a multiple of this long folds it. */
    public static final long FOLD_EVERY = 64;
    private static final int BATCH = 500;
    private static final LuaScript FOLD = LuaScript.load("usage_fold");

    private final Redis redis;
    private final RedisKeys keys;

    public PendingUsage(Redis redis) {
        this.redis = redis;
        this.keys = redis.keys();
    }

    /**
     * The entry of one job: {@code <job> <key> <day> <run seconds> <CPU seconds or ->}, the seconds
     * with six decimals (as {@code complete.lua} receives them).
     */
    public static String entry(String jobId, String keyId, String day, String runSeconds, String cpuSeconds) {
        return jobId + ' ' + keyId + ' ' + day + ' ' + runSeconds + ' ' + (cpuSeconds.isEmpty() ? "-" : cpuSeconds);
    }

    /** Folds every pending entry into the day hashes. */
    public void fold() {
        for (int round = 0; round < 100; round++) {
            List<String> entries = redis.call(j -> j.lrange(keys.usagePending(), 0, BATCH - 1));
            if (entries.isEmpty()) {
                return;
            }
            Map<String, long[]> sums = new LinkedHashMap<>(); // day hash -> jobs, run us, cpu us
            for (String e : entries) {
                String[] f = e.split(" ");
                if (f.length != 5) {
                    continue; // not ours: dropped with the others
                }
                long run = micros(f[3]);
                long cpu = f[4].equals("-") ? 0 : micros(f[4]);
                for (String hash : List.of(keys.usage(f[1], f[2]), keys.usageTotal(f[2]))) {
                    long[] s = sums.computeIfAbsent(hash, h -> new long[3]);
                    s[0]++;
                    s[1] += run;
                    s[2] += cpu;
                }
            }
            List<String> hashes = new ArrayList<>();
            hashes.add(keys.usagePending());
            List<String> args = new ArrayList<>(List.of(Integer.toString(entries.size()), entries.get(0),
                    entries.get(entries.size() - 1), Long.toString(RedisUsage.RETENTION.toSeconds())));
            sums.forEach((hash, s) -> {
                hashes.add(hash);
                args.add(Long.toString(s[0]));
                args.add(seconds(s[1]));
                args.add(s[2] == 0 ? "0" : seconds(s[2]));
            });
            Object folded = redis.call(j -> FOLD.run(j, hashes, args));
            if (!Long.valueOf(1).equals(folded) || entries.size() < BATCH) {
                return; // another fold took them (and goes on), or that was all
            }
        }
    }

    private static long micros(String seconds) {
        try {
            return new BigDecimal(seconds).movePointRight(6).longValue();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String seconds(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
