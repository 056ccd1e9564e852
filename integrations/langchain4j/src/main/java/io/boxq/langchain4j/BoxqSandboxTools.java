package io.boxq.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import io.boxq.client.BoxqClient;
import io.boxq.client.jobs.Job;
import io.boxq.client.jobs.JobRequest;
import io.boxq.client.sandboxes.Sandbox;
import io.boxq.client.sandboxes.SandboxRequest;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;

/**
 * Tools for a LangChain4j agent: run a shell command, read a file, write a file, all in one boxq
 * sandbox of its own, so files written by one call are there for the next. The sandbox is created
 * at the first call and deleted by {@link #close()}.
 *
 * <pre>{@code
 * try (BoxqSandboxTools tools = new BoxqSandboxTools(BoxqClient.create(url, key))) {
 *     Assistant agent = AiServices.builder(Assistant.class).chatModel(model).tools(tools).build();
 *     agent.chat("Count the lines of /etc/passwd");
 * }
 * }</pre>
 *
 * A failing command is an answer, not an error: the model sees its exit code and output. What boxq
 * refuses (quota, a sandbox that ended) is thrown as the client's
 * {@link io.boxq.client.errors.ProblemException}, whose message LangChain4j hands to the model.
 */
public final class BoxqSandboxTools implements AutoCloseable {
    private final BoxqClient boxq;
    private final SandboxRequest request;
    private final Duration commandWait;
    private Sandbox sandbox;

    public BoxqSandboxTools(BoxqClient boxq) {
        this(boxq, SandboxRequest.DEFAULTS, Duration.ofMinutes(5));
    }

    /** @param commandWait how long {@link #runCommand} waits for a command before it answers that it still runs */
    public BoxqSandboxTools(BoxqClient boxq, SandboxRequest request, Duration commandWait) {
        this.boxq = boxq;
        this.request = request;
        this.commandWait = commandWait;
    }

    @Tool(name = "run_command", value = "Runs a shell command (sh -c) in the sandbox's /workspace and returns its exit code, stdout and stderr. "
            + "Files persist between calls; the working directory and exported variables do not.")
    public String runCommand(@P("the shell command to run") String command) {
        Job job = sandbox().run(JobRequest.of(command), commandWait);
        if (!job.ended()) {
            return "still running after " + commandWait.toSeconds() + " s (job " + job.id() + ")";
        }
        StringBuilder out = new StringBuilder("state: ").append(job.state());
        if (job.exitCode() != null) {
            out.append("\nexit code: ").append(job.exitCode());
        }
        if (job.error() != null) {
            out.append("\nerror: ").append(job.error());
        }
        return out.append("\nstdout:\n").append(text(job.stdoutBytes()))
                .append("\nstderr:\n").append(text(job.stderrBytes())).toString();
    }

    @Tool(name = "read_file", value = "Reads a file of the sandbox (a path relative to /workspace) and returns its content "
            + "(base64, said so in the first line, when it is not UTF-8 text).")
    public String readFile(@P("the file's path, relative to /workspace") String path) {
        return text(sandbox().download(path));
    }

    @Tool(name = "write_file", value = "Writes UTF-8 text to a file of the sandbox (a path relative to /workspace), creating its directories.")
    public String writeFile(@P("the file's path, relative to /workspace") String path,
            @P("the text to write") String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        sandbox().upload(path, bytes);
        return "wrote " + bytes.length + " bytes to " + path;
    }

    /** The sandbox's id, or null before the first call. */
    public synchronized String sandboxId() {
        return sandbox == null ? null : sandbox.id();
    }

    /** Deletes the sandbox, if a call made one. */
    @Override
    public synchronized void close() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }

    private synchronized Sandbox sandbox() {
        if (sandbox == null) {
            sandbox = boxq.sandboxes().create(request);
        }
        return sandbox;
    }

    private static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "(base64)\n" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
