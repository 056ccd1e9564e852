package io.boxq.executor.sandbox;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.executor.node.JobCompleter;
import io.boxq.executor.node.RunningJobs;
import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.pool.Shape;
import io.boxq.executor.pool.WarmPool;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunRequest;
import io.boxq.core.sandbox.ResourceSample;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import io.boxq.executor.runner.RunnerFailedException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of one node: their containers (pinned out of the warm pool), and everything that
 * reaches them through the node's stream: creation, commands, file calls, stats, destruction.
 * The consumer runs one sandbox's entries in order, one at a time.
 */
public final class SandboxManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxManager.class);

    private final RedisSandboxStore sandboxes;
    private final RedisJobStore jobs;
    private final WarmPool pool;
    private final ContainerFactory containers;
    private final BoxqConfig config;
    private final String node;
    private final Clock clock;
    private final Map<String, PooledContainer> held = new ConcurrentHashMap<>();
    private final CpuSampler cpu = new CpuSampler();
    private final RunningJobs running;
    private final JobCompleter completer;
    private final AuditLog audit;
    /** One user of a sandbox's runner at a time: its jobs and operations, or the resource monitor. */
    private final Map<String, ReentrantLock> runnerLocks = new ConcurrentHashMap<>();
    /** Sandboxes with a job or file call in them now: busy, so never idle (the monitor's samples do not count). */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** Sandboxes the resource monitor terminated, with the reason their running job ends with. */
    private final Map<String, Termination> terminated = new ConcurrentHashMap<>();

    private record Termination(String reason, long atNanos) {}

    public SandboxManager(RedisSandboxStore sandboxes, RedisJobStore jobs, WarmPool pool, ContainerFactory containers,
            RunningJobs running, AuditLog audit, BoxqConfig config, String node, Clock clock) {
        this(sandboxes, jobs, pool, containers, running, audit, config, node, clock, new JobCompleter(jobs, node));
    }

    /** @param completer stores the ends of the sandboxes' jobs (and tells metrics and usage about them) */
    public SandboxManager(RedisSandboxStore sandboxes, RedisJobStore jobs, WarmPool pool, ContainerFactory containers,
            RunningJobs running, AuditLog audit, BoxqConfig config, String node, Clock clock, JobCompleter completer) {
        this.running = running;
        this.audit = audit;
        this.completer = completer;
        this.sandboxes = sandboxes;
        this.jobs = jobs;
        this.pool = pool;
        this.containers = containers;
        this.config = config;
        this.node = node;
        this.clock = clock;
    }

    /** Runs a job or operation that names a sandbox of this node; always ends the job. */
    public void run(Job job, Entry entry, int token) {
        String id = job.spec().sandboxId();
        Optional<Sandbox> sandbox = sandboxes.find(id);
        if (sandbox.isEmpty()) {
            finish(job, entry, token, JobState.ERROR, null, "the sandbox no longer exists");
            return;
        }
        if (sandbox.get().ended()) {
            Sandbox s = sandbox.get();
            finish(job, entry, token, JobState.ERROR, null, "the sandbox has ended (" + s.state() + ")"
                    + (s.endReason() != null ? ": " + s.endReason() : ""));
            return;
        }
        SandboxOp.Kind kind = job.isOp() ? job.op().kind() : null;
        if (kind == SandboxOp.Kind.CREATE) {
            create(sandbox.get(), job, entry, token);
            return;
        }
        if (kind == SandboxOp.Kind.DESTROY) {
            destroy(sandbox.get(), SandboxEnd.DELETED, "deleted by its owner");
            finish(job, entry, token, JobState.SUCCEEDED, empty(), null);
            return;
        }
        PooledContainer container = held.get(id);
        if (container == null) {
            finish(job, entry, token, JobState.ERROR, null, "the sandbox's container is gone");
            return;
        }
        if (kind == SandboxOp.Kind.STATS) {
            stats(sandbox.get(), container, job, entry, token);
            return;
        }
        sandboxes.touch(id);
        busy.add(id);
        ReentrantLock runnerLock = runnerLock(id);
        runnerLock.lock();
        try {
            if (!container.runner().alive() && !revive(sandbox.get(), container)) { // died between jobs
                finish(job, entry, token, JobState.ERROR, null, "the sandbox's agent died and could not be relaunched");
                return;
            }
            RunningJobs.Outcome outcome = job.isOp()
                    ? new RunningJobs.Outcome(fileCall(container.runner(), job), false)
                    : running.run(job, container.runner(), request(sandbox.get(), job));
            boolean killed = outcome.result() == null || outcome.result().exitCode() != 0;
            if (killed && endIfTerminated(job, entry, token)) {
                return;
            }
            JobState state = outcome.cancelled() ? JobState.CANCELLED
                    : job.isOp() ? JobState.SUCCEEDED : outcome.result().state();
            finish(job, entry, token, state, outcome.result(), null);
        } catch (RunnerFailedException e) {
            if (endIfTerminated(job, entry, token)) {
                return;
            }
            finish(job, entry, token, JobState.ERROR, null, "the sandbox runner failed: " + e.getMessage());
            revive(sandbox.get(), container);
        } catch (RuntimeException e) {
            if (!endIfTerminated(job, entry, token)) {
                throw e;
            }
        } finally {
            runnerLock.unlock();
            sandboxes.touch(id);
            busy.remove(id);
        }
    }

    /** The stats operation: read at once, also while a job runs in the sandbox (see {@link #readStats}). */
    private void stats(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        try {
            finish(job, entry, token, JobState.SUCCEEDED, readStats(s, container), null);
        } catch (RuntimeException e) { // the runner broke, or the container went meanwhile
            finish(job, entry, token, JobState.ERROR, null, "the sandbox's figures could not be read: " + e.getMessage());
        }
    }

    private void create(Sandbox s, Job job, Entry entry, int token) {
        try {
            PooledContainer c = pool.acquireForSandbox(new Shape(s.image(), s.memoryBytes(), config.sandbox().network(),
                    s.runtime() != null ? s.runtime() : config.sandbox().runtime()));
            held.put(s.id(), c);
            if (!sandboxes.markReady(s.id(), c.id())) {
                pool.unpin(held.remove(s.id()));
                finish(job, entry, token, JobState.ERROR, null, "the sandbox ended before it was ready");
                return;
            }
            log.info("sandbox {} of key {} ready in container {}", s.id(), s.keyId(), c);
            finish(job, entry, token, JobState.SUCCEEDED, empty(), null);
        } catch (RuntimeException e) {
            sandboxes.discard(s);
            finish(job, entry, token, JobState.ERROR, null, "no container could be had: " + e.getMessage());
        }
    }

    /**
     * Ends a sandbox: its container goes, its quota places come back, and its record is kept,
     * marked {@code how} with {@code why} (unless it had already ended).
     */
    public void destroy(Sandbox s, SandboxEnd how, String why) {
        PooledContainer c = held.remove(s.id());
        cpu.forget(s.id());
        runnerLocks.remove(s.id());
        if (c != null) {
            pool.unpin(c);
        }
        if (sandboxes.end(s, how, why)) {
            log.info("sandbox {} of key {} ended ({}): {}", s.id(), s.keyId(), how.wireName(), why);
        }
    }

    /**
     * Ends this node's sandboxes that are past their lifetime or idle timeout, and containers whose
     * sandbox record is gone.
     *
     * @return how many sandboxes ended
     */
    public int expire() {
        int ended = 0;
        for (Sandbox s : sandboxes.listForNode(node)) {
            String reason = s.expiredReason(clock.instant(), busy.contains(s.id()));
            boolean lost = s.ready() && !held.containsKey(s.id());
            if (reason != null || lost) {
                String why = lost ? "its container was lost" : reason;
                destroy(s, lost ? SandboxEnd.LOST : SandboxEnd.EXPIRED, why);
                audit.record("system", "sandbox.destroyed", s.id(), Map.of("reason", why, "node", node));
                ended++;
            }
        }
        for (String id : held.keySet()) {
            if (sandboxes.find(id).filter(s -> !s.ended()).isEmpty()) {
                pool.unpin(held.remove(id));
                ended++;
            }
        }
        return ended;
    }

    public int count() {
        return held.size();
    }

    /**
     * Ends a sandbox at once (the resource monitor): its record says {@code terminated} with
     * {@code cause}, and a job running in it ends {@code error} with "the sandbox was terminated:
     * {@code cause}" instead of a runner failure.
     *
     * @return the reason its job ends with
     */
    public String terminate(Sandbox s, String cause) {
        String reason = "the sandbox was terminated: " + cause;
        long now = System.nanoTime();
        terminated.values().removeIf(t -> now - t.atNanos() > Duration.ofMinutes(10).toNanos());
        terminated.put(s.id(), new Termination(reason, now));
        destroy(s, SandboxEnd.TERMINATED, cause);
        return reason;
    }

    /**
     * Samples a sandbox's resources now, straight from its container (the resource monitor), with
     * the same script and CPU accounting as the stats operation. Uses the sandbox's runner when it
     * is free, else (a job is running) a separate {@code docker exec}, so a long job is watched too.
     *
     * @return empty when the sandbox is not held here or its figures could not be read
     * @throws RunnerFailedException when the runner broke while sampling (it is relaunched)
     */
    public Optional<ResourceSample> sample(Sandbox s) {
        PooledContainer c = held.get(s.id());
        if (c == null) {
            return Optional.empty();
        }
        CommandResult r = readStats(s, c);
        if (r.exitCode() != 0) {
            log.debug("sandbox {}: stats script exited {}", s.id(), r.exitCode());
            return Optional.empty();
        }
        return Optional.of(ResourceSample.parse(new String(r.stdout(), StandardCharsets.UTF_8), clock.instant()));
    }

    /**
     * Runs the stats script in the sandbox's container: through its runner when that is free, else
     * (a job is running) through a separate {@code docker exec}, so a long job is watched too and a
     * stats call never waits for it.
     *
     * @throws RunnerFailedException when the runner broke while reading (it is relaunched)
     */
    private CommandResult readStats(Sandbox s, PooledContainer c) {
        ReentrantLock lock = runnerLock(s.id());
        String workspace = config.sandbox().workspace();
        if (c.runner().alive() && lock.tryLock()) {
            try {
                return cpu.sample(s.id(), () -> c.runner().stats(workspace));
            } catch (RunnerFailedException e) {
                revive(s, c);
                throw e;
            } finally {
                lock.unlock();
            }
        }
        CommandRunner side = containers.sideRunner(c.id());
        return cpu.sample(s.id(), () -> side.stats(workspace));
    }

    /** A file call: done by the runner itself (the agent: without a process), exit codes as {@link CommandRunner#readFile}. */
    private CommandResult fileCall(CommandRunner runner, Job job) {
        String workspace = config.sandbox().workspace();
        String path = job.op().path();
        return switch (job.op().kind()) {
            case WRITE_FILE -> runner.writeFile(workspace, path, job.spec().stdin());
            case READ_FILE -> runner.readFile(workspace, path, config.jobs().fileMaxBytes());
            default -> throw new IllegalStateException("not a file call: " + job.op().kind());
        };
    }

    private ReentrantLock runnerLock(String sandboxId) {
        return runnerLocks.computeIfAbsent(sandboxId, id -> new ReentrantLock());
    }

    /** Ends the job with the monitor's reason when its sandbox was terminated; false when it was not. */
    private boolean endIfTerminated(Job job, Entry entry, int token) {
        Termination t = terminated.remove(job.spec().sandboxId());
        if (t == null) {
            return false;
        }
        finish(job, entry, token, JobState.ERROR, null, t.reason());
        return true;
    }

    /**
     * A runner that died is brought back in the same container, which keeps its files; a sandbox
     * whose runner cannot come back ends {@code lost}.
     *
     * @return whether it came back
     */
    private boolean revive(Sandbox s, PooledContainer c) {
        try {
            c.runner().close();
            c.replaceRunner(containers.attachRunner(c.id()));
            log.info("sandbox {}: runner relaunched", s.id());
            return true;
        } catch (RuntimeException e) {
            log.warn("sandbox {}: runner cannot be relaunched, ending it: {}", s.id(), e.getMessage());
            destroy(s, SandboxEnd.LOST, "its runner died and could not be relaunched: " + e.getMessage());
            return false;
        }
    }

    private RunRequest request(Sandbox s, Job job) {
        Map<String, String> env = new HashMap<>(s.env());
        env.putAll(job.spec().env());
        String workdir = job.spec().workdir() != null ? job.spec().workdir() : config.sandbox().workspace();
        return new RunRequest(job.spec().command(), containers.shellFor(held.get(s.id())), env, workdir,
                job.spec().stdin(), Duration.ofSeconds(job.spec().timeoutSeconds()), config.jobs().outputLimitBytes());
    }

    private void finish(Job job, Entry entry, int token, JobState state, CommandResult result, String error) {
        completer.finish(job, entry, token, state, result, error);
    }

    private static CommandResult empty() {
        return new CommandResult(0, new byte[0], new byte[0], false, false, false);
    }

    @Override
    public void close() {
        held.clear();
    }

}
