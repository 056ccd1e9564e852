package io.boxq.api.sandboxes;

import io.boxq.api.jobs.JobAwaiter;
import io.boxq.api.jobs.JobCanceller;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.FileExit;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.RedisKeys;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.core.sandbox.SandboxEndedException;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.snapshot.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a caller does to its sandboxes — create (quota checked and taken in one Lua call), destroy,
 * write and read a file — shared by {@code /v1/sandboxes} and the MCP tools. Everything that needs
 * the container travels to its node through Redis as an operation, and is awaited like a long-poll.
 * Failures are {@link ProblemException}s (and the core's not-found, ended and quota exceptions), as
 * the REST routes answer them. An ended sandbox can still be read (how and why it ended) until its
 * record expires; everything that would act on it throws {@link SandboxEndedException} (410
 * {@code sandbox-ended}), also when it ends while an operation waits for its node.
 */
public final class SandboxOperations {
    static final Duration OP_WAIT = Duration.ofSeconds(60);

    private final BoxqConfig config;
    private final RedisSandboxStore sandboxes;
    private final RedisJobStore jobs;
    private final RedisKeys keys;
    private final JobAwaiter awaiter;
    private final NodePicker nodes;
    private final NodeDirectory directory;
    private final JobCanceller canceller;
    private final AuditLog audit;
    private final Clock clock;
    private final RedisSnapshotStore snapshots;

    public SandboxOperations(BoxqConfig config, RedisSandboxStore sandboxes, RedisJobStore jobs, RedisKeys keys,
            JobAwaiter awaiter, NodeDirectory directory, JobCanceller canceller, AuditLog audit, Clock clock,
            RedisSnapshotStore snapshots) {
        this.snapshots = snapshots;
        this.canceller = canceller;
        this.config = config;
        this.sandboxes = sandboxes;
        this.jobs = jobs;
        this.keys = keys;
        this.awaiter = awaiter;
        this.nodes = new NodePicker(directory);
        this.directory = directory;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Creates a sandbox as asked and waits until its node has it ready (with the snapshot's
     * workspace, on a node that can read the snapshot).
     *
     * @throws ProblemException 400 for a runtime the key may not use, 503 when no node could start it
     * @throws io.boxq.core.sandbox.QuotaExceededException when a sandbox limit is reached
     */
    public Sandbox create(ApiKey caller, SandboxRequest r) {
        TierLimits limits = caller.limits(config::limits);
        Snapshot snapshot = r.snapshot();
        String runtime = io.boxq.api.jobs.JobSubmitter.runtime(limits, r.runtime(), config);
        Instant now = clock.instant();
        String node = snapshot != null && !snapshot.shared() ? snapshot.node() : nodes.pick();
        String image = snapshot != null ? snapshot.image() : r.image() != null ? r.image() : config.sandbox().image();
        Sandbox s = new Sandbox("sbx_" + RandomIds.hex(12), caller.id(), caller.user(), node, null, image,
                limits.memoryBytes(), r.env(), "creating", now, now, Duration.ofSeconds(r.idleSeconds()),
                now.plusSeconds(r.ttlSeconds()), now.plus(maxLifetime(config, limits)), null).withRuntime(runtime);
        sandboxes.reserve(s, new RedisSandboxStore.Limits(limits.maxSandboxes(),
                config.sandboxLimits().maxPerApiKey().orElse(-1), config.sandboxLimits().maxPerUser().orElse(-1),
                config.sandboxLimits().maxTotalSandboxes()));
        Job done = runOp(caller, s, SandboxOp.Kind.CREATE, null,
                snapshot == null ? null : snapshot.id().getBytes(StandardCharsets.UTF_8));
        if (done.state() != JobState.SUCCEEDED) {
            throw new ProblemException(Problem.of(503, "sandbox-unavailable", "Sandbox could not be started",
                    done.error() != null ? done.error() : "the node did not answer in time"));
        }
        audit.record(caller.id(), "sandbox.created", s.id(),
                snapshot == null ? Map.of("node", node) : Map.of("node", node, "snapshot", snapshot.id()));
        return sandboxes.get(s.id(), caller.id());
    }

    /** The longest a sandbox of these limits may live: the tier's, never past the server's ceiling. */
    static Duration maxLifetime(BoxqConfig config, TierLimits limits) {
        return limits.maxLifetime().compareTo(config.sandboxLimits().lifetimeCeiling()) < 0
                ? limits.maxLifetime() : config.sandboxLimits().lifetimeCeiling();
    }

    /**
     * The caller's ready snapshot {@code id}, for a sandbox to start from.
     *
     * @throws ProblemException 404 when the caller has no such snapshot (another key's is not found
     *     either), 409 when the one node that holds it is down
     */
    public Snapshot readySnapshot(ApiKey caller, String id) {
        Snapshot snap = snapshots.find(id, caller.id()).filter(Snapshot::ready)
                .orElseThrow(() -> ProblemException.notFound("snapshot"));
        if (!snap.shared() && !directory.isAlive(snap.node())) {
            throw new ProblemException(Problem.of(409, "snapshot-unavailable", "Snapshot unavailable",
                    "snapshot " + id + " is kept on node " + snap.node() + ", which is down"));
        }
        return snap;
    }

    /**
     * Destroys one of the caller's live sandboxes and gives its places back; its record stays,
     * {@code deleted}, for the retention time. Its jobs are cancelled first: the running one is
     * killed, those waiting their turn end at once, so the node gets to the destruction now.
     *
     * @throws SandboxEndedException when it had already ended, or ended otherwise meanwhile
     */
    public void destroy(ApiKey caller, String sandboxId) {
        Sandbox s = live(caller, sandboxId);
        for (String job : jobs.inSandbox(caller.id(), s.id())) {
            try {
                canceller.cancel(caller, job);
            } catch (JobNotFoundException e) {
                // expired meanwhile: nothing to cancel
            }
        }
        if (directory.isAlive(s.node())) {
            runOp(caller, s, SandboxOp.Kind.DESTROY, null, null);
        }
        sandboxes.end(s, SandboxEnd.DELETED, "deleted by its owner");
        Sandbox after = sandboxes.find(s.id()).orElse(null);
        if (after != null && after.ended() && !SandboxEnd.DELETED.wireName().equals(after.state())) {
            throw new SandboxEndedException(after);
        }
        audit.record(caller.id(), "sandbox.destroyed", s.id(), Map.of());
    }

    /**
     * Ends everything a revoked key left running: its jobs are cancelled and its live sandboxes
     * destroyed, so they neither run on nor hold their user's quota until they expire.
     *
     * @return how many jobs were cancelled and how many sandboxes ended
     */
    public Map<String, String> endAllOf(ApiKey key) {
        int jobsCancelled = canceller.cancelAll(key);
        int ended = 0;
        for (Sandbox s : RedisSandboxStore.live(sandboxes.listForKey(key.id()))) {
            try {
                destroy(key, s.id());
                ended++;
            } catch (SandboxEndedException e) {
                // ended meanwhile
            }
        }
        return Map.of("jobs_cancelled", Integer.toString(jobsCancelled), "sandboxes_ended", Integer.toString(ended));
    }

    /**
     * Moves the end of a live sandbox's lifetime to now + {@code ttlSeconds}, never past its maximum
     * lifetime.
     *
     * @return the sandbox as it is now
     * @throws SandboxEndedException when it has ended
     */
    public Sandbox keepalive(Sandbox s, int ttlSeconds) {
        Instant wanted = clock.instant().plusSeconds(ttlSeconds);
        sandboxes.extend(s.id(), wanted.isAfter(s.maxExpiresAt()) ? s.maxExpiresAt() : wanted);
        return sandboxes.getLive(s.id(), s.keyId());
    }

    /**
     * The caller's sandboxes: {@code live} (the default), {@code ended} (records still kept) or {@code all}.
     *
     * @throws ProblemException 400 for another {@code state}
     */
    public List<Sandbox> list(ApiKey caller, String state) {
        return switch (state == null ? "live" : state) {
            case "live" -> sandboxes.listForKey(caller.id());
            case "ended" -> sandboxes.listEndedForKey(caller.id());
            case "all" -> {
                List<Sandbox> all = new ArrayList<>(sandboxes.listForKey(caller.id()));
                all.addAll(sandboxes.listEndedForKey(caller.id()));
                yield all;
            }
            default -> throw ProblemException.badRequest("state", "must be one of live, ended, all");
        };
    }

    /**
     * Writes {@code content} to {@code rawPath} (relative to the workspace, or absolute inside it).
     *
     * @return the absolute path written
     * @throws ProblemException 400 for a path outside the workspace, 413 past {@code FILE_MAX_BYTES}
     */
    public String writeFile(ApiKey caller, String sandboxId, String rawPath, byte[] content) {
        Sandbox s = ready(live(caller, sandboxId));
        String path = WorkspacePath.resolve(rawPath, config.sandbox().workspace());
        if (content.length > config.jobs().fileMaxBytes()) {
            throw new ProblemException(Problem.of(413, "too-large", "Payload too large",
                    "files are limited to " + config.jobs().fileMaxBytes() + " bytes"));
        }
        fileOutcome(s, runOp(caller, s, SandboxOp.Kind.WRITE_FILE, path, content), path);
        return path;
    }

    /**
     * The bytes of a file in the workspace.
     *
     * @throws ProblemException 404 when there is no such file, 413 past {@code FILE_MAX_BYTES}
     */
    public byte[] readFile(ApiKey caller, String sandboxId, String rawPath) {
        Sandbox s = ready(live(caller, sandboxId));
        String path = WorkspacePath.resolve(rawPath, config.sandbox().workspace());
        CommandResult r = fileOutcome(s, runOp(caller, s, SandboxOp.Kind.READ_FILE, path, null), path);
        if (r.stdoutTruncated() || r.stdout().length > config.jobs().fileMaxBytes()) {
            throw new ProblemException(Problem.of(413, "too-large", "File too large",
                    "files are limited to " + config.jobs().fileMaxBytes() + " bytes"));
        }
        return r.stdout();
    }

    /**
     * One of the caller's sandboxes, live or ended; another key's is "not found", never "forbidden".
     *
     * @throws io.boxq.core.sandbox.SandboxNotFoundException when it is not the caller's
     */
    public Sandbox owned(ApiKey caller, String sandboxId) {
        if (!RandomIds.looksLikeId(sandboxId, "sbx_")) {
            throw ProblemException.notFound("sandbox");
        }
        return sandboxes.get(sandboxId, caller.id());
    }

    /**
     * One of the caller's sandboxes, which must still live.
     *
     * @throws SandboxEndedException when it has ended (how and why are in the message)
     */
    public Sandbox live(ApiKey caller, String sandboxId) {
        Sandbox s = owned(caller, sandboxId);
        if (s.ended()) {
            throw new SandboxEndedException(s);
        }
        return s;
    }

    /** An operation that failed because its sandbox ended meanwhile is a 410 saying so, not a 503. */
    public void failIfEnded(Sandbox s) {
        sandboxes.getLive(s.id(), s.keyId());
    }

    /** Sends an operation to the sandbox's node and waits for its end. */
    Job runOp(ApiKey caller, Sandbox s, SandboxOp.Kind kind, String path, byte[] payload) {
        return runOp(caller, s, new SandboxOp(kind, path), payload, OP_WAIT);
    }

    /** Sends an operation and waits up to {@code wait} for its end (a snapshot or fork of a large workspace takes longer). */
    public Job runOp(ApiKey caller, Sandbox s, SandboxOp.Kind kind, String path, byte[] payload, Duration wait) {
        return runOp(caller, s, new SandboxOp(kind, path), payload, wait);
    }

    /** Sends an operation to the sandbox's node and waits for its end, or as long as {@code wait}. */
    Job runOp(ApiKey caller, Sandbox s, SandboxOp op, byte[] payload, Duration wait) {
        String opId = jobs.submitOp(caller.id(), s.id(), keys.nodeStream(s.node()), op, payload, (int) OP_WAIT.toSeconds());
        return awaiter.await(opId, caller.id(), wait);
    }

    /** A sandbox that takes jobs, file calls, snapshots and forks: ready, or paused. */
    public static Sandbox ready(Sandbox s) {
        if (!s.usable()) {
            throw new ProblemException(Problem.of(409, "sandbox-not-ready", "Sandbox not ready",
                    "sandbox " + s.id() + " is " + s.state()));
        }
        return s;
    }

    private CommandResult fileOutcome(Sandbox s, Job done, String path) {
        CommandResult r = done.result();
        if (r == null) {
            failIfEnded(s);
            throw new ProblemException(Problem.of(503, "sandbox-unavailable", "Sandbox unavailable",
                    done.error() != null ? done.error() : "the sandbox did not answer in time"));
        }
        String why = new String(r.stderr(), StandardCharsets.UTF_8).strip();
        switch (r.exitCode()) {
            case FileExit.OK -> {
                return r;
            }
            case FileExit.NOT_FOUND -> throw ProblemException.notFound("file " + path);
            case FileExit.OUTSIDE, FileExit.DIRECTORY -> throw ProblemException.badRequest("path", why.isEmpty() ? "is not allowed" : why);
            default -> throw new ProblemException(Problem.of(409, "file-error", "File call failed",
                    why.isEmpty() ? "exit code " + r.exitCode() : why));
        }
    }
}
