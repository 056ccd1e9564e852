package io.boxq.core.redis;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The fields of a {@code job:{id}} hash, and how a {@link Job} is read back from them. */
final class JobHash {
    /** Characters of the command kept in {@code command_preview}. */
    static final int PREVIEW_CHARS = 160;

    private JobHash() {}

    static List<String> newJobFields(
            String id, String keyId, long memoryBytes, JobSpec spec, String stream, long submittedAtMs, int concurrency,
            boolean resumes) {
        List<String> f = new ArrayList<>();
        add(f, "id", id);
        add(f, "key_id", keyId);
        add(f, "memory_bytes", Long.toString(memoryBytes));
        add(f, "state", JobState.QUEUED.wireName());
        add(f, "spec", Json.write(spec));
        add(f, "command_preview", preview(spec.command()));
        add(f, "stream", stream);
        add(f, "attempt", "0");
        add(f, "max_attempts", Integer.toString(spec.maxAttempts()));
        add(f, "submitted_at", Long.toString(submittedAtMs));
        add(f, "concurrency", Integer.toString(concurrency));
        if (spec.sandboxId() != null) {
            add(f, "sandbox_id", spec.sandboxId());
        }
        if (spec.callbackUrl() != null) {
            add(f, "callback_url", spec.callbackUrl()); // complete.lua schedules the webhook when set
        }
        if (resumes) {
            add(f, "resumed", "1");
        }
        return f;
    }

    static List<String> opFields(SandboxOp op) {
        List<String> f = new ArrayList<>();
        add(f, "op", op.kind().wireName());
        if (op.path() != null) {
            add(f, "op_path", op.path());
        }
        return f;
    }

    static List<String> resultFields(JobState state, CommandResult result, String error, long finishedAtMs) {
        List<String> f = new ArrayList<>();
        add(f, "state", state.wireName());
        add(f, "finished_at", Long.toString(finishedAtMs));
        if (result != null) {
            add(f, "exit_code", Integer.toString(result.exitCode()));
            add(f, "stdout", Base64.getEncoder().encodeToString(result.stdout()));
            add(f, "stderr", Base64.getEncoder().encodeToString(result.stderr()));
            add(f, "stdout_truncated", Boolean.toString(result.stdoutTruncated()));
            add(f, "stderr_truncated", Boolean.toString(result.stderrTruncated()));
            add(f, "timed_out", Boolean.toString(result.timedOut()));
            if (result.cpuMicros() != null) {
                add(f, "cpu_us", Long.toString(result.cpuMicros()));
            }
        }
        if (error != null) {
            add(f, "error", error);
        }
        return f;
    }

    static Job read(Map<String, String> h) {
        CommandResult result = null;
        if (h.containsKey("exit_code")) {
            result = new CommandResult(
                    Integer.parseInt(h.get("exit_code")),
                    Base64.getDecoder().decode(h.getOrDefault("stdout", "")),
                    Base64.getDecoder().decode(h.getOrDefault("stderr", "")),
                    Boolean.parseBoolean(h.get("stdout_truncated")),
                    Boolean.parseBoolean(h.get("stderr_truncated")),
                    Boolean.parseBoolean(h.get("timed_out")),
                    h.containsKey("cpu_us") ? Long.valueOf(h.get("cpu_us")) : null);
        }
        return new Job(
                h.get("id"),
                h.get("key_id"),
                Long.parseLong(h.getOrDefault("memory_bytes", "0")),
                Json.read(h.get("spec"), JobSpec.class),
                JobState.fromWire(h.get("state")),
                h.get("node"),
                Integer.parseInt(h.getOrDefault("attempt", "0")),
                instant(h.get("submitted_at")),
                instant(h.get("started_at")),
                instant(h.get("finished_at")),
                result,
                h.get("error"),
                h.containsKey("op") ? new SandboxOp(SandboxOp.Kind.fromWire(h.get("op")), h.get("op_path")) : null,
                h.containsKey("resumed"));
    }

    /** The first {@link #PREVIEW_CHARS} characters of a command, for listings that must not read the spec. */
    static String preview(String command) {
        if (command.length() <= PREVIEW_CHARS) {
            return command;
        }
        int end = Character.isHighSurrogate(command.charAt(PREVIEW_CHARS - 1)) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
        return command.substring(0, end) + "…";
    }

    private static Instant instant(String epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }

    private static void add(List<String> fields, String name, String value) {
        fields.add(name);
        fields.add(value);
    }
}
