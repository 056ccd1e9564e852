package io.boxq.client.sandboxes;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.errors.NotFoundException;
import io.boxq.client.errors.SandboxEndedException;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import io.boxq.client.jobs.Job;
import io.boxq.client.jobs.JobEventStream;
import io.boxq.client.jobs.JobRequest;
import io.boxq.client.jobs.Jobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One sandbox: run commands in it (one at a time, in order), move files in and out of its
 * {@code /workspace}, read its stats, keep it alive, pause and resume it, save it as a snapshot or
 * fork it. {@link #close()} deletes it, so try-with-resources never leaves one behind.
 */
public final class Sandbox implements AutoCloseable {
    /** The longest the server waits for the node to write a snapshot or the forks. */
    private static final Duration COPY_WAIT = Duration.ofMinutes(5);

    private final Transport transport;
    private final Jobs jobs;
    private final String id;
    private volatile SandboxInfo info;

    Sandbox(Transport transport, Jobs jobs, SandboxInfo info) {
        this.transport = transport;
        this.jobs = jobs;
        this.id = info.id();
        this.info = info;
    }

    public String id() {
        return id;
    }

    /** What the server last said of it (at create, keepalive, pause, resume or {@link #refresh()}). */
    public SandboxInfo info() {
        return info;
    }

    public SandboxInfo refresh() {
        info = transport.sendJson(Call.get(path(id)), SandboxInfo.class);
        return info;
    }

    /** Runs {@code command} here and waits for its end (up to {@link Jobs#DEFAULT_RUN_WAIT}). */
    public Job run(String command) {
        return run(JobRequest.of(command), Jobs.DEFAULT_RUN_WAIT);
    }

    public Job run(JobRequest request, Duration total) {
        return jobs.run(request.withSandbox(id), total);
    }

    /** Queues {@code command} here without waiting: follow it with {@link Jobs#events(String)}. */
    public Job submit(String command) {
        return jobs.submit(JobRequest.of(command).withSandbox(id));
    }

    /** Submits and follows the command's live output. */
    public JobEventStream stream(String command) {
        return jobs.events(submit(command).id());
    }

    /** Writes {@code content} to {@code path} (relative to {@code /workspace}), byte for byte. */
    public void upload(String path, byte[] content) {
        transport.send(Call.put(files(path), content, "application/octet-stream"));
    }

    public byte[] download(String path) {
        return transport.send(Call.get(files(path)).accept("application/octet-stream"));
    }

    /** {@code now} (memory, CPU, workspace, pids, network) and the monitor's {@code history}. */
    public JsonNode stats() {
        return transport.sendJson(Call.get(path(id) + "/stats"));
    }

    /** Moves {@code expiresAt} to {@code ttl} from now (up to the tier's lifetime). */
    public SandboxInfo keepalive(Duration ttl) {
        info = transport.sendJson(Call.post(path(id) + "/keepalive",
                transport.toJson(Map.of("ttl_s", ttl.toSeconds()))), SandboxInfo.class);
        return info;
    }

    /**
     * Freezes every process of the sandbox (memory and files kept, no CPU used) and answers it
     * {@code paused}; a job or file call resumes it first. A running job is never frozen: after
     * 10 s behind one the server gives up, a {@code 409} {@link io.boxq.client.errors.ConflictException}
     * ({@code sandbox-busy}). Pausing a paused sandbox changes nothing.
     */
    public SandboxInfo pause() {
        info = transport.sendJson(Call.post(path(id) + "/pause", null), SandboxInfo.class);
        return info;
    }

    /** Thaws a paused sandbox (its processes go on where they stopped) and answers it {@code ready}. */
    public SandboxInfo resume() {
        info = transport.sendJson(Call.post(path(id) + "/resume", null), SandboxInfo.class);
        return info;
    }

    /**
     * Saves the workspace as a {@link Snapshot}, {@code ready} (a paused sandbox may be saved too;
     * a running one has its processes stopped while its files are copied). Past the key's limits: a
     * {@code 429} {@link io.boxq.client.errors.RateLimitedException} naming {@code snapshot_count},
     * or a {@link io.boxq.client.errors.ProblemException} of status {@code 413} naming
     * {@code snapshot_bytes} (the {@code limit} of its {@code body()}).
     */
    public Snapshot snapshot() {
        return transport.sendJson(Call.post(path(id) + "/snapshots", null)
                .timeout(transport.options().requestTimeout().plus(COPY_WAIT)), Snapshot.class);
    }

    /**
     * {@code count} (1 to 10) new sandboxes with the image, memory and env of this one and a copy of
     * its workspace, on its node; this one goes on as it was. All or none: past the key's sandbox
     * limits a {@code 429} naming the limit, a {@code 409} ({@code node-full}) when its node has no
     * room. Each handle deletes its sandbox when closed, like any other.
     */
    public List<Sandbox> fork(int count) {
        JsonNode answer = transport.sendJson(Call.post(path(id) + "/fork", transport.toJson(Map.of("count", count)))
                .timeout(transport.options().requestTimeout().plus(COPY_WAIT)));
        List<Sandbox> forks = new ArrayList<>();
        for (JsonNode s : answer.path("sandboxes")) {
            forks.add(new Sandbox(transport, jobs, transport.json().convertValue(s, SandboxInfo.class)));
        }
        return forks;
    }

    /** Deletes the sandbox; one that is gone already (deleted, ended, unknown) counts as deleted. */
    @Override
    public void close() {
        try {
            transport.send(Call.delete(path(id)));
        } catch (NotFoundException | SandboxEndedException e) {
            // gone already
        }
    }

    private String files(String path) {
        return path(id) + "/files?path=" + Call.q(path);
    }

    static String path(String id) {
        return "/v1/sandboxes/" + Call.q(id);
    }
}
