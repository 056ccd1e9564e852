package io.boxq.executor.sandbox;

import io.boxq.core.job.CommandResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the cumulative CPU time a stats sample reports into a percentage of one core, from the
 * previous sample of the same sandbox or, when there is no recent one, from a second sample taken
 * a moment later.
 */
final class CpuSampler {
    private static final Pattern CPU_NS = Pattern.compile("(?m)^cpu_ns=(\\d+)$");
    private static final Duration MAX_AGE = Duration.ofSeconds(60);
    private static final Duration GAP = Duration.ofMillis(200);

    private record Sample(long cpuNanos, long atNanos) {}

    private final Map<String, Sample> last = new ConcurrentHashMap<>();

    CommandResult sample(String sandboxId, Supplier<CommandResult> take) {
        long stale = System.nanoTime() - MAX_AGE.toNanos();
        last.values().removeIf(s -> s.atNanos() < stale); // ended sandboxes' samples go here, too old to use
        CommandResult r = take.get();
        Sample now = parse(r);
        Sample before = last.get(sandboxId);
        if (now != null && (before == null || now.atNanos() - before.atNanos() > MAX_AGE.toNanos())) {
            pause();
            before = now;
            r = take.get();
            now = parse(r);
        }
        if (now == null || before == null || now.atNanos() <= before.atNanos()) {
            return r;
        }
        last.put(sandboxId, now);
        double percent = 100.0 * (now.cpuNanos() - before.cpuNanos()) / (now.atNanos() - before.atNanos());
        byte[] out = (new String(r.stdout(), StandardCharsets.UTF_8)
                + String.format(java.util.Locale.ROOT, "cpu_percent=%.2f%n", Math.max(0, percent)))
                .getBytes(StandardCharsets.UTF_8);
        return new CommandResult(r.exitCode(), out, r.stderr(), false, false, r.timedOut(), r.cpuMicros());
    }

    private static Sample parse(CommandResult r) {
        Matcher m = CPU_NS.matcher(new String(r.stdout(), StandardCharsets.UTF_8));
        return m.find() ? new Sample(Long.parseLong(m.group(1)), System.nanoTime()) : null;
    }

    private static void pause() {
        try {
            Thread.sleep(GAP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
