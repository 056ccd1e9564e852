package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.jobs.JobAwaiter;
import io.boxq.api.jobs.JobSubmitter;
import io.boxq.api.jobs.JobView;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.sandboxes.PauseOperations;
import io.boxq.api.sandboxes.SandboxOperations;
import io.boxq.api.sandboxes.SandboxRequest;
import io.boxq.api.sandboxes.SandboxView;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.Job;
import io.boxq.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools of {@code /mcp} (those that copy a workspace are {@link CopyTools}). Each acts as the calling key through the services the REST routes
 * use ({@link JobSubmitter}, {@link JobAwaiter}, {@link SandboxOperations}), so validation, quotas,
 * tenant isolation and the way to the executors (Redis, never Docker) are the same.
 */
final class BoxqTools {
    static final int DEFAULT_WAIT_SECONDS = 30;
    /** As {@code GET /v1/jobs/{id}?wait=}: the HTTP idle timeout is longer than this. */
    static final int MAX_WAIT_SECONDS = 60;

    private final BoxqConfig config;
    private final JobSubmitter submitter;
    private final JobAwaiter awaiter;
    private final SandboxOperations sandboxes;

    BoxqTools(BoxqConfig config, JobSubmitter submitter, JobAwaiter awaiter, SandboxOperations sandboxes) {
        this.config = config;
        this.submitter = submitter;
        this.awaiter = awaiter;
        this.sandboxes = sandboxes;
    }

    List<McpTool> all() {
        int maxTimeout = (int) config.jobs().maxCommandTimeout().toSeconds();
        String images = String.join(", ", config.sandbox().allowedImages());
        List<McpTool> tools = new ArrayList<>(List.of(
                new McpTool("run_command", "Run a shell command in a locked-down Linux container (in a sandbox when "
                        + "sandbox_id is given: its files persist between commands) and wait up to wait_s seconds "
                        + "for the result: state, exit_code, stdout, stderr. If it has not ended by then, the answer "
                        + "has its id and state; call get_job with that id.",
                        ToolSchema.object()
                                .string("command", "the shell command (sh -c, or bash -c where the image has bash)", true)
                                .string("sandbox_id", "run in this sandbox (from create_sandbox)", false)
                                .string("image", "the image, one of: " + images + " (not with sandbox_id)", false)
                                .integer("timeout_s", "kill the command after this many seconds", 1, maxTimeout)
                                .stringMap("env", "environment variables of the command")
                                .integer("wait_s", "how long to wait for the result (default "
                                        + DEFAULT_WAIT_SECONDS + ")", 0, MAX_WAIT_SECONDS)
                                .build(),
                        this::runCommand),
                new McpTool("get_job", "Read a job started by run_command, waiting up to wait_s seconds for it to end.",
                        ToolSchema.object()
                                .string("job_id", "the id run_command returned", true)
                                .integer("wait_s", "how long to wait for the end (default " + DEFAULT_WAIT_SECONDS
                                        + ")", 0, MAX_WAIT_SECONDS)
                                .build(),
                        this::getJob),
                new McpTool("create_sandbox", "Create a sandbox: a container of your own whose files in "
                        + config.sandbox().workspace() + " persist between commands until it is destroyed or expires.",
                        ToolSchema.object()
                                .string("image", "the image, one of: " + images, false)
                                .integer("ttl_s", "lifetime in seconds (the tier caps it)", 1, Integer.MAX_VALUE)
                                .integer("idle_timeout_s", "end it after this many idle seconds", 1, Integer.MAX_VALUE)
                                .stringMap("env", "environment variables of every command in it")
                                .string("snapshot_id", "start with this snapshot's workspace (from snapshot_sandbox)",
                                        false)
                                .build(),
                        this::createSandbox),
                new McpTool("destroy_sandbox", "Destroy a sandbox and everything in it.",
                        ToolSchema.object().string("sandbox_id", "the sandbox", true).build(),
                        this::destroySandbox),
                new McpTool("read_file", "Read a file of a sandbox's workspace. UTF-8 text comes back as it is "
                        + "(encoding \"utf8\"); anything else as base64 (encoding \"base64\").",
                        ToolSchema.object()
                                .string("sandbox_id", "the sandbox", true)
                                .string("path", "relative to " + config.sandbox().workspace() + ", or absolute inside it",
                                        true)
                                .build(),
                        this::readFile),
                new McpTool("write_file", "Write a file into a sandbox's workspace (parent directories are made).",
                        ToolSchema.object()
                                .string("sandbox_id", "the sandbox", true)
                                .string("path", "relative to " + config.sandbox().workspace() + ", or absolute inside it",
                                        true)
                                .string("content", "the file's content", true)
                                .oneOf("encoding", "utf8 (default) or base64 for binary content",
                                        List.of("utf8", "base64"))
                                .build(),
                        this::writeFile)));
        tools.addAll(new PauseTools(new PauseOperations(sandboxes)).all());
        return List.copyOf(tools);
    }

    private Object runCommand(ApiKey caller, ObjectNode args) {
        ObjectNode body = args.deepCopy();
        body.remove("wait_s");
        Job job = submitter.submit(caller, submitter.parse(caller, Json.write(body)), null).job();
        return jobResult(awaiter.await(job.id(), caller.id(), Duration.ofSeconds(waitSeconds(args))));
    }

    private Object getJob(ApiKey caller, ObjectNode args) {
        String id = args.get("job_id").textValue();
        if (!RandomIds.looksLikeId(id, "job_")) {
            throw ProblemException.notFound("job " + clip(id));
        }
        return jobResult(awaiter.await(id, caller.id(), Duration.ofSeconds(waitSeconds(args))));
    }

    private Object createSandbox(ApiKey caller, ObjectNode args) {
        return SandboxView.of(sandboxes.create(caller, SandboxRequest.parse(caller, config, Json.write(args),
                id -> sandboxes.readySnapshot(caller, id))));
    }

    private Object destroySandbox(ApiKey caller, ObjectNode args) {
        String id = args.get("sandbox_id").textValue();
        sandboxes.destroy(caller, id);
        return Map.of("sandbox_id", id, "destroyed", true);
    }

    private Object readFile(ApiKey caller, ObjectNode args) {
        String path = args.get("path").textValue();
        byte[] content = sandboxes.readFile(caller, args.get("sandbox_id").textValue(), path);
        String[] text = JobView.text(content);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", path);
        out.put("size", content.length);
        out.put("encoding", text[1] == null ? "utf8" : "base64");
        out.put("content", text[0]);
        return out;
    }

    private Object writeFile(ApiKey caller, ObjectNode args) {
        String content = args.get("content").textValue();
        byte[] bytes;
        if ("base64".equals(args.path("encoding").textValue())) {
            try {
                bytes = Base64.getDecoder().decode(content.replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("content", "is not valid base64");
            }
        } else {
            bytes = content.getBytes(StandardCharsets.UTF_8);
        }
        String path = sandboxes.writeFile(caller, args.get("sandbox_id").textValue(), args.get("path").textValue(),
                bytes);
        return Map.of("path", path, "size", bytes.length);
    }

    /** The job as {@code GET /v1/jobs/{id}} shows it, with a hint when it has not ended yet. */
    private static Object jobResult(Job job) {
        ObjectNode view = Json.mapper().valueToTree(JobView.of(job));
        if (!job.state().isTerminal()) {
            view.put("hint", "the job is still " + job.state().wireName() + "; call get_job with job_id \""
                    + job.id() + "\" to wait for its result");
        }
        return view;
    }

    private static int waitSeconds(ObjectNode args) {
        return args.hasNonNull("wait_s") ? args.get("wait_s").intValue() : DEFAULT_WAIT_SECONDS;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
