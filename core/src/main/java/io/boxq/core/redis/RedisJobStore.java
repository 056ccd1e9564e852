package io.boxq.core.redis;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.usage.PendingUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.AbstractPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Response;

/**
 * Jobs in Redis: one hash per job, a per-key index and backlog, and the Lua scripts that move a
 * job through its life atomically (docs/architecture.md, "A job's way" and "Redis layout").
 */
public final class RedisJobStore {
    private static final LuaScript SUBMIT = LuaScript.load("submit");
    private static final LuaScript START = LuaScript.load("start");
    private static final LuaScript COMPLETE = LuaScript.load("complete");
    private static final LuaScript PROMOTE = LuaScript.load("promote");
    private static final LuaScript CANCEL = LuaScript.load("cancel");
    private static final LuaScript REQUEUE = LuaScript.load("requeue");
    private static final Logger log = LoggerFactory.getLogger(RedisJobStore.class);

    private final Redis redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final Duration resultTtl;
    private final PendingUsage pendingUsage;

    public RedisJobStore(Redis redis, Duration resultTtl, Clock clock) {
        this.redis = redis;
        this.pendingUsage = new PendingUsage(redis);
        this.keys = redis.keys();
        this.resultTtl = resultTtl;
        this.clock = clock;
    }

    /**
     * What {@link #start} found: the job is now ours under {@code token} ({@code job} as it is now,
     * {@code cancelRequested} when a cancel was asked for before it started), or it is in {@code state}.
     */
    public record Start(String state, int token, Job job, boolean cancelRequested) {
        public Start(String state, int token) {
            this(state, token, null, false);
        }

        /** True when this call took the job (a job already running elsewhere answers its state, token 0). */
        public boolean running() {
            return "running".equals(state) && token > 0;
        }
    }

    /**
     * Stores a new job and queues it: straight into {@code stream} when a run slot of the key is
     * free, else at the end of the key's backlog. One Redis round trip.
     *
     * @param memoryBytes the memory of the container it will run in (the key's tier)
     * @return the job as stored (state {@code queued}; its submit time is Redis's, see submit.lua)
     */
    public Job submit(String id, String keyId, long memoryBytes, JobSpec spec, String stream, int concurrencyLimit) {
        return submit(id, keyId, memoryBytes, spec, stream, concurrencyLimit, null, false).job();
    }

    /** A submit's outcome: the job, and whether it is an earlier job returned for a repeated Idempotency-Key. */
    public record Submitted(Job job, boolean replay) {}

    /**
     * Like {@link #submit(String, String, long, JobSpec, String, int)}, honouring an Idempotency-Key.
     *
     * @param idempotency the key's Idempotency-Key and a hash of the request body, or null
     * @param resumes the job's sandbox is paused: stored on the job ({@code resumed}), its node resumes it first
     * @throws IdempotencyConflictException when the Idempotency-Key was used with another body
     */
    public Submitted submit(String id, String keyId, long memoryBytes, JobSpec spec, String stream, int concurrencyLimit,
            Idempotency idempotency, boolean resumes) {
        long now = clock.millis();
        List<String> args = new ArrayList<>(List.of(id, Long.toString(now), Integer.toString(concurrencyLimit),
                idempotency == null ? "" : idempotency.bodyHash(), Integer.toString(RecentJobs.KEPT)));
        args.addAll(JobHash.newJobFields(id, keyId, memoryBytes, spec, stream, now, concurrencyLimit, resumes));
        String idemKey = idempotency == null ? keys.job(id) : keys.idempotency(keyId, idempotency.keyHash());
        List<?> reply = (List<?>) redis.acknowledged(j -> SUBMIT.run(j, List.of(keys.job(id), keys.keyJobs(keyId),
                keys.keyRunning(keyId), keys.keyBacklog(keyId), stream, idemKey, keys.recentJobs(), keys.jobStates()),
                args));
        String outcome = (String) reply.get(0);
        String jobId = (String) reply.get(1);
        if (outcome.equals("conflict")) {
            throw new IdempotencyConflictException(jobId);
        }
        if (outcome.equals("replay")) {
            return new Submitted(find(jobId).orElseThrow(() -> IdempotencyConflictException.expired(jobId)), true);
        }
        long submittedAt = Long.parseLong((String) reply.get(2)); // Redis's: see submit.lua
        return new Submitted(new Job(id, keyId, memoryBytes, spec, JobState.QUEUED, null, 0,
                java.time.Instant.ofEpochMilli(submittedAt), null, null, null, null, null, resumes), false);
    }

    /** An Idempotency-Key (hashed) and the hash of the body it came with. */
    public record Idempotency(String keyHash, String bodyHash) {}

    /**
     * Sends an operation to the node holding a sandbox, through that node's stream, so it runs in
     * order with the sandbox's jobs. It is not listed among the key's jobs and takes no run slot.
     *
     * @param payload bytes for the operation (a file's content), carried as the job's stdin
     * @return the operation's job id; wait for it like for any job
     */
    public String submitOp(String keyId, String sandboxId, String nodeStream, SandboxOp op, byte[] payload,
            int timeoutSeconds) {
        String id = io.boxq.core.job.JobIds.newJobId();
        long now = clock.millis();
        JobSpec spec = new JobSpec(op.kind().wireName(), sandboxId, null, null, null, payload, timeoutSeconds, null,
                null, 1, null);
        List<String> args = new ArrayList<>(List.of(id, Long.toString(now), "-1", "", "0"));
        args.addAll(JobHash.newJobFields(id, keyId, 0, spec, nodeStream, now, 0, false));
        args.addAll(JobHash.opFields(op));
        redis.acknowledged(j -> {
            SUBMIT.run(j, List.of(keys.job(id), keys.keyJobs(keyId), keys.keyRunning(keyId), keys.keyBacklog(keyId),
                    nodeStream, keys.job(id), keys.recentJobs(), keys.jobStates()), args);
            return j.expire(keys.job(id), resultTtl.toSeconds());
        });
        return id;
    }

    public Optional<Job> find(String id) {
        Map<String, String> hash = redis.call(j -> j.hgetAll(keys.job(id)));
        return hash.isEmpty() ? Optional.empty() : Optional.of(JobHash.read(hash));
    }

    /**
     * The job's hash as stored, for a caller that may later apply a {@link JobEnd} to it.
     *
     * @throws JobNotFoundException when there is no such job or it belongs to another key
     */
    public Map<String, String> getFields(String id, String keyId) {
        Map<String, String> hash = redis.call(j -> j.hgetAll(keys.job(id)));
        if (hash.isEmpty() || !keyId.equals(hash.get("key_id"))) {
            throw new JobNotFoundException(id);
        }
        return hash;
    }

    /** A job read back from its hash's fields (as {@link #getFields} gives them, possibly with a {@link JobEnd} applied). */
    public static Job job(Map<String, String> fields) {
        return JobHash.read(fields);
    }

    /** @throws JobNotFoundException when there is no such job or it belongs to another key */
    public Job get(String id, String keyId) {
        return find(id).filter(job -> job.keyId().equals(keyId)).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * Takes a queued job for {@code node}: {@code queued → running} with a new fencing token. One
     * script call, which also answers the job itself (no second read).
     */
    public Start start(String id, String node) {
        return start(id, node, java.util.UUID.randomUUID().toString());
    }

    /**
     * Like {@link #start(String, String)}; confirmed by the replicas ({@code REDIS_WAIT_REPLICAS})
     * before it answers, so a fencing token cannot be handed out twice across a failover.
     *
     * @param startId the same for every try of one start: a try repeated because the answer or the
     *                WAIT of the one before was lost answers the token that one took
     */
    public Start start(String id, String node, String startId) {
        long now = clock.millis();
        List<?> reply = (List<?>) redis.acknowledged(j -> START.run(j, List.of(keys.job(id), keys.jobStates()),
                List.of(node, Long.toString(now), startId)));
        String state = (String) reply.get(0);
        int token = ((Long) reply.get(1)).intValue();
        if (reply.size() < 3) {
            return new Start(state, token);
        }
        List<?> flat = (List<?>) reply.get(2);
        Map<String, String> hash = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            hash.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        boolean again = reply.size() > 3; // the first try took it: its start time stands
        hash.put("state", "running");
        hash.put("attempt", Integer.toString(token));
        hash.put("node", node);
        if (!again) {
            hash.put("started_at", Long.toString(now));
        }
        return new Start(state, token, JobHash.read(hash), hash.containsKey("cancel_requested"));
    }

    /**
     * Records the end of attempt {@code token}, acknowledges {@code entryId} and frees the run slot.
     *
     * @return false when the token is stale (another attempt owns the job now): nothing was written
     */
    public boolean complete(Job job, String entryId, int token, JobState state, CommandResult result, String error) {
        return complete(job, null, entryId, token, state, result, error, false) != null;
    }

    /**
     * Records the end of attempt {@code token} in one script call: the result and the terminal state,
     * the entry of {@code stream} acknowledged and deleted, the run slot freed, the job counted in its
     * key's usage of the day, and the end published. A key whose backlog waits is then promoted.
     *
     * @param stream the stream the entry came from (null: read from the job)
     * @param cancelWins true when a cancel asked for while it ran makes the end {@code cancelled}
     *                   (unless it is {@code error}): a node that missed the control message
     * @return the state stored, or null when the token is stale (another attempt owns the job now):
     *         nothing was written
     */
    public JobState complete(Job job, String stream, String entryId, int token, JobState state, CommandResult result,
            String error, boolean cancelWins) {
        if (!state.isTerminal()) {
            throw new IllegalArgumentException("not a terminal state: " + state);
        }
        String keyId = job.keyId();
        String from = stream != null ? stream : streamOf(job.id());
        long finishedAt = clock.millis();
        String day = io.boxq.core.usage.UsageDays.of(java.time.Instant.ofEpochMilli(finishedAt));
        boolean counted = !job.isOp() && job.startedAt() != null;
        String usage = counted ? PendingUsage.entry(job.id(), keyId, day,
                seconds(Math.max(0, finishedAt - job.startedAt().toEpochMilli()) / 1000.0),
                result != null && result.cpuMicros() != null ? seconds(result.cpuMicros() / 1e6) : "") : "";
        List<String> args = new ArrayList<>(List.of(job.id(), entryId == null ? "" : entryId, RedisKeys.GROUP,
                Integer.toString(token), Long.toString(resultTtl.toSeconds()), keys.doneChannel(), usage,
                cancelWins ? "1" : "", Integer.toString(JobEnd.MAX_CARRIED_BYTES)));
        args.addAll(JobHash.resultFields(state, result, error, finishedAt));
        List<?> reply = (List<?>) redis.acknowledged(j -> COMPLETE.run(j, List.of(keys.job(job.id()), from,
                keys.keyRunning(keyId), keys.keyBacklog(keyId), keys.webhooksDue(), keys.jobStates(),
                keys.jobOutput(job.id()), keys.usagePending()), args));
        if (Long.valueOf(2).equals(reply.get(0))) { // stored by an earlier try of this call
            promoteBacklogOf(job.id());
            return JobState.fromWire((String) reply.get(1));
        }
        if (!Long.valueOf(1).equals(reply.get(0))) {
            return null;
        }
        if (!"".equals(reply.get(2))) {
            promoteBacklogOf(job.id());
        }
        long pending = (Long) reply.get(3);
        if (pending > 0 && pending % PendingUsage.FOLD_EVERY == 0) {
            foldUsage();
        }
        return JobState.fromWire((String) reply.get(1));
    }

    /** Usage is counted already (the entry is stored): folding it is bookkeeping, retried by the next fold. */
    private void foldUsage() {
        try {
            pendingUsage.fold();
        } catch (StoreUnavailableException e) {
            log.warn("pending usage not folded now: {}", e.getMessage());
        }
    }

    private static String seconds(double s) {
        return String.format(java.util.Locale.ROOT, "%.6f", s);
    }

    /**
     * Moves backlog heads of {@code keyId} into their streams while run slots are free.
     *
     * @return how many jobs were promoted
     */
    public int promoteBacklog(String keyId, int concurrencyLimit) {
        int promoted = 0;
        for (int i = 0; i < 1000; i++) {
            String head = redis.call(j -> j.lindex(keys.keyBacklog(keyId), 0));
            if (head == null) {
                break;
            }
            Object r = redis.call(j -> PROMOTE.run(j, List.of(keys.keyRunning(keyId), keys.keyBacklog(keyId),
                    keys.job(head), streamOf(head)), List.of(head, Integer.toString(concurrencyLimit))));
            long outcome = (Long) r;
            if (outcome == 0) {
                break;
            }
            promoted += outcome == 1 ? 1 : 0;
        }
        return promoted;
    }

    /** The jobs of {@code keyId} that have not ended: those holding a run slot, then its backlog in order. */
    public List<String> unended(String keyId) {
        List<String> ids = new ArrayList<>(redis.call(j -> j.smembers(keys.keyRunning(keyId))));
        ids.addAll(redis.call(j -> j.lrange(keys.keyBacklog(keyId), 0, -1)));
        return ids;
    }

    /**
     * The jobs of {@code keyId} in sandbox {@code sandboxId} that hold a run slot: running, or in
     * the sandbox's node stream waiting their turn (read in one pipeline).
     */
    public List<String> inSandbox(String keyId, String sandboxId) {
        List<String> held = List.copyOf(redis.call(j -> j.smembers(keys.keyRunning(keyId))));
        List<String> sandboxOf = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<String>> replies = held.stream().map(id -> p.hget(keys.job(id), "sandbox_id")).toList();
                p.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < held.size(); i++) {
            if (sandboxId.equals(sandboxOf.get(i))) {
                ids.add(held.get(i));
            }
        }
        return ids;
    }

    /** What {@link #cancel} did. */
    public enum Cancel { CANCELLED, RUNNING, ALREADY_ENDED }

    /**
     * Cancels a job of {@code keyId}: a queued one ends at once (and the run slot it held goes to the
     * key's next backlog job); a running one is marked, and its node kills it.
     *
     * @throws JobNotFoundException when there is no such job of this key
     */
    public Cancel cancel(String id, String keyId, int concurrencyLimit) {
        get(id, keyId);
        String outcome = (String) redis.acknowledged(j -> CANCEL.run(j,
                List.of(keys.job(id), keys.keyBacklog(keyId), keys.keyRunning(keyId), keys.webhooksDue(),
                        keys.jobStates()),
                List.of(id, Long.toString(clock.millis()), Long.toString(resultTtl.toSeconds()), keys.doneChannel())));
        return switch (outcome) {
            case "now" -> Cancel.CANCELLED;
            case "now_freed" -> {
                promoteBacklog(keyId, concurrencyLimit);
                yield Cancel.CANCELLED;
            }
            case "running" -> Cancel.RUNNING;
            case "missing" -> throw new JobNotFoundException(id);
            default -> Cancel.ALREADY_ENDED;
        };
    }

    /** Promotes the backlog of the key of {@code jobId}, with the concurrency its jobs were submitted with. */
    public void promoteBacklogOf(String jobId) {
        List<String> f = redis.call(j -> j.hmget(keys.job(jobId), "key_id", "concurrency"));
        if (f.get(0) != null && f.get(1) != null && !"0".equals(f.get(1))) {
            promoteBacklog(f.get(0), Integer.parseInt(f.get(1)));
        }
    }

    /**
     * Gives a running job back ({@code running → queued}) when attempt {@code token} could not finish
     * through no fault of its command (its container died) and the job's {@code max_attempts} allow
     * another; the caller then starts it again.
     *
     * @return false when no attempt is left or {@code token} is no longer current
     */
    public boolean requeue(String id, int token) {
        Object r = redis.acknowledged(j -> REQUEUE.run(j, List.of(keys.job(id), keys.jobStates()),
                List.of(Integer.toString(token))));
        return Long.valueOf(1).equals(r);
    }

    /** True when someone asked to cancel this running job. (The job path needs no such read: see {@link #start}, {@link #complete(Job, String, String, int, JobState, CommandResult, String, boolean)}.) */
    public boolean cancelRequested(String id) {
        return redis.call(j -> j.hexists(keys.job(id), "cancel_requested"));
    }

    /**
     * A page of the key's jobs, newest first, optionally only those in {@code state}. A page filtered
     * by state can hold fewer than {@code limit} jobs, even none, and still name a next cursor: one
     * call looks at a bounded part of the index ({@link KeyJobIndex}).
     *
     * @param maxScore the highest index score to list: the previous page's cursor, {@code Long.MAX_VALUE} first
     */
    public Page list(String keyId, JobState state, long maxScore, int limit) {
        return new KeyJobIndex(redis, keyId).page(state, maxScore, limit);
    }

    /** One page of a listing; {@code nextCursor} is null on the last page. */
    public record Page(List<Job> jobs, String nextCursor) {
        public Page {
            jobs = List.copyOf(jobs);
        }
    }

    private String streamOf(String jobId) {
        String stream = redis.call(j -> j.hget(keys.job(jobId), "stream"));
        return stream == null ? keys.jobsStream() : stream;
    }
}
