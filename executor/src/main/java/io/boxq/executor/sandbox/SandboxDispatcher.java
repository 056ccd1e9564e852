package io.boxq.executor.sandbox;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.executor.job.JobCompleter;
import io.boxq.executor.job.RunningJobs;
import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFailedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what reaches a sandbox of this node through the node's stream: creation, commands, file
 * calls, stats, destruction. The consumer runs one sandbox's entries in order, one at a time; this
 * always ends the job.
 */
public final class SandboxDispatcher {
    private static final Logger log = LoggerFactory.getLogger(SandboxDispatcher.class);
    private static final String NOT_RELAUNCHED = "the sandbox's agent died and could not be relaunched";
    private final RedisSandboxStore sandboxes;
    private final SandboxLifecycle lifecycle;
    private final SandboxRunners runners;
    private final SandboxSampler sampler;
    private final SandboxPauses pauses;
    private final ContainerFactory containers;
    private final RunningJobs running;
    private final JobCompleter completer;
    private final BoxqConfig config;
    private final SandboxCopies copies;

    /** @param completer stores the ends of the sandboxes' jobs (and tells metrics and usage about them) */
    public SandboxDispatcher(RedisSandboxStore sandboxes, SandboxLifecycle lifecycle, SandboxRunners runners,
            SandboxSampler sampler, SandboxPauses pauses, ContainerFactory containers, RunningJobs running,
            JobCompleter completer, BoxqConfig config, SandboxCopies copies) {
        this.pauses = pauses;
        this.copies = copies;
        this.sandboxes = sandboxes;
        this.lifecycle = lifecycle;
        this.runners = runners;
        this.sampler = sampler;
        this.containers = containers;
        this.running = running;
        this.completer = completer;
        this.config = config;
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
            Optional<String> failed = copies.create(sandbox.get(), job.spec().stdin());
            finish(job, entry, token, failed.isEmpty() ? JobState.SUCCEEDED : JobState.ERROR,
                    failed.isEmpty() ? empty() : null, failed.orElse(null));
            return;
        }
        if (kind == SandboxOp.Kind.DESTROY) {
            lifecycle.destroy(sandbox.get(), SandboxEnd.DELETED, "deleted by its owner");
            finish(job, entry, token, JobState.SUCCEEDED, empty(), null);
            return;
        }
        Optional<PooledContainer> container = lifecycle.container(id);
        if (container.isEmpty()) {
            finish(job, entry, token, JobState.ERROR, null, "the sandbox's container is gone");
            return;
        }
        if (kind == SandboxOp.Kind.STATS) {
            stats(sandbox.get(), container.get(), job, entry, token);
            return;
        }
        if (kind == SandboxOp.Kind.PAUSE || kind == SandboxOp.Kind.RESUME) {
            pauseOrResume(sandbox.get(), container.get(), job, entry, token);
            return;
        }
        if (kind == SandboxOp.Kind.SNAPSHOT || kind == SandboxOp.Kind.FORK) { // a paused sandbox stays paused
            CommandResult r = kind == SandboxOp.Kind.SNAPSHOT
                    ? copies.snapshot(sandbox.get(), container.get(), job.spec().stdin())
                    : copies.fork(sandbox.get(), container.get(), job.spec().stdin());
            finish(job, entry, token, JobState.SUCCEEDED, r, null);
            return;
        }
        if (!resumeFirst(sandbox.get(), container.get(), job, entry, token)) {
            return;
        }
        runInside(sandbox.get(), container.get(), job, entry, token);
    }

    /** A command or file call: one at a time on the sandbox's runner, which is relaunched if it broke. */
    private void runInside(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        runners.holding(s.id(), () -> sandboxes.touch(s.id()), () -> {
            runHeld(s, container, job, entry, token);
            return null;
        });
    }

    private void runHeld(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        if (!runHeldOnce(s, container, job, entry, token, true)) {
            log.info("sandbox {}: its agent died before it read job {}; relaunched, sending it again", s.id(), job.id());
            runHeldOnce(s, container, job, entry, token, false);
        }
    }

    /**
     * @param mayRetry whether a runner that broke before the command reached it may be relaunched
     *     and the job sent again (the agent died between jobs, unnoticed when this one was sent)
     * @return false when that happened: the runner is new, the job not run and to be sent again
     */
    private boolean runHeldOnce(Sandbox s, PooledContainer container, Job job, Entry entry, int token, boolean mayRetry) {
        try {
            if (!container.runner().alive() && !lifecycle.revive(s, container)) { // died between jobs
                finish(job, entry, token, JobState.ERROR, null, NOT_RELAUNCHED);
                return true;
            }
            RunningJobs.Outcome outcome = job.isOp()
                    ? new RunningJobs.Outcome(fileCall(container.runner(), job), false)
                    : running.run(job, container.runner(), request(s, container, job));
            boolean killed = outcome.result() == null || outcome.result().exitCode() != 0;
            if (killed && endIfTerminated(job, entry, token)) {
                return true;
            }
            JobState state = outcome.cancelled() ? JobState.CANCELLED
                    : job.isOp() ? JobState.SUCCEEDED : outcome.result().state();
            finish(job, entry, token, state, outcome.result(), null);
        } catch (RunnerFailedException e) {
            if (endIfTerminated(job, entry, token)) {
                return true;
            }
            if (mayRetry && !e.commandStarted()) {
                if (lifecycle.revive(s, container)) {
                    return false;
                }
                finish(job, entry, token, JobState.ERROR, null, NOT_RELAUNCHED);
                return true;
            }
            finish(job, entry, token, JobState.ERROR, null, "the sandbox runner failed: " + e.getMessage());
            lifecycle.revive(s, container);
        } catch (RuntimeException e) {
            if (!endIfTerminated(job, entry, token)) {
                throw e;
            }
        }
        return true;
    }

    /**
     * Pause and resume, in the sandbox's line: a pause that reaches the front later than
     * {@link SandboxOp#PAUSE_WAIT} after it was sent (a job ran before it) is called off, ending
     * {@code cancelled}: its caller has been answered {@code 409 sandbox-busy} by then.
     */
    private void pauseOrResume(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        try {
            if (job.op().kind() == SandboxOp.Kind.RESUME) {
                pauses.resume(s, container);
                finish(job, entry, token, JobState.SUCCEEDED, empty(), null);
                return;
            }
            java.time.Instant sent = job.submittedAt() != null ? job.submittedAt() : java.time.Instant.now();
            SandboxPauses.Outcome outcome = pauses.pause(s, container, sent.plus(SandboxOp.PAUSE_WAIT));
            switch (outcome) {
                case PAUSED -> finish(job, entry, token, JobState.SUCCEEDED, empty(), null);
                case BUSY -> finish(job, entry, token, JobState.CANCELLED, null,
                        "the sandbox was busy for longer than the pause waits (" + SandboxOp.PAUSE_WAIT.toSeconds() + " s)");
                case ENDED -> finish(job, entry, token, JobState.ERROR, null, "the sandbox ended meanwhile");
            }
        } catch (RuntimeException e) {
            finish(job, entry, token, JobState.ERROR, null, "the engine could not " + job.op().kind().wireName()
                    .substring("sandbox.".length()) + " the sandbox: " + e.getMessage());
        }
    }

    /**
     * A job or file call sent to a paused sandbox thaws it first.
     *
     * @return false when it could not be thawed (the job has ended with why)
     */
    private boolean resumeFirst(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        try {
            pauses.resume(s, container);
            return true;
        } catch (RuntimeException e) {
            finish(job, entry, token, JobState.ERROR, null, "the paused sandbox could not be resumed: " + e.getMessage());
            return false;
        }
    }

    /** The stats operation: read at once, also while a job runs in the sandbox (see {@link SandboxSampler#read}). */
    private void stats(Sandbox s, PooledContainer container, Job job, Entry entry, int token) {
        try {
            finish(job, entry, token, JobState.SUCCEEDED, sampler.read(s, container), null);
        } catch (RuntimeException e) { // the runner broke, or the container went meanwhile
            finish(job, entry, token, JobState.ERROR, null, "the sandbox's figures could not be read: " + e.getMessage());
        }
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

    /** Ends the job with the monitor's reason when its sandbox was terminated; false when it was not. */
    private boolean endIfTerminated(Job job, Entry entry, int token) {
        Optional<String> reason = lifecycle.takeTermination(job.spec().sandboxId());
        reason.ifPresent(r -> finish(job, entry, token, JobState.ERROR, null, r));
        return reason.isPresent();
    }

    private RunRequest request(Sandbox s, PooledContainer container, Job job) {
        Map<String, String> env = new HashMap<>(s.env());
        env.putAll(job.spec().env());
        String workdir = job.spec().workdir() != null ? job.spec().workdir() : config.sandbox().workspace();
        return new RunRequest(job.spec().command(), containers.shellFor(container), env, workdir,
                job.spec().stdin(), Duration.ofSeconds(job.spec().timeoutSeconds()), config.jobs().outputLimitBytes());
    }

    private void finish(Job job, Entry entry, int token, JobState state, CommandResult result, String error) {
        completer.finish(job, entry, token, state, result, error);
    }

    private static CommandResult empty() {
        return new CommandResult(0, new byte[0], new byte[0], false, false, false);
    }
}
