package io.boxq.api.jobs;

import io.boxq.api.metrics.ApiMetrics;
import java.util.List;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.RedisKeys;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits a job as a caller: the one path {@code POST /v1/jobs} and the MCP {@code run_command}
 * tool share. A job in a sandbox goes to the stream of the sandbox's node, with the sandbox's
 * memory; any other job goes to the shared stream. Nothing here talks to Docker.
 */
public final class JobSubmitter {
    private static final Logger log = LoggerFactory.getLogger(JobSubmitter.class);

    private final BoxqConfig config;
    private final RedisJobStore store;
    private final RedisKeys keys;
    private final RedisSandboxStore sandboxes;
    private final JobRequestParser parser;
    private final ApiMetrics metrics;

    public JobSubmitter(BoxqConfig config, RedisJobStore store, RedisKeys keys, RedisSandboxStore sandboxes,
            ApiMetrics metrics) {
        this.config = config;
        this.store = store;
        this.keys = keys;
        this.sandboxes = sandboxes;
        this.parser = new JobRequestParser(config);
        this.metrics = metrics;
    }

    /**
     * The job a submit body asks for, with the caller's webhook URL as its default callback.
     *
     * @throws ProblemException 400 naming every field at fault
     */
    public JobSpec parse(ApiKey caller, String body) {
        return parser.parse(body).withDefaultCallbackUrl(caller.webhookUrl());
    }

    /**
     * Queues {@code spec} for {@code caller} (or finds the job an earlier submit with the same
     * idempotency key made).
     *
     * @param idempotency null without an Idempotency-Key
     * @throws ProblemException 404 when the sandbox is not the caller's, 409 when it is not ready
     * @throws SandboxEndedException when the sandbox has ended (410 {@code sandbox-ended})
     * @throws io.boxq.core.redis.IdempotencyConflictException when the key was used with another body
     */
    public RedisJobStore.Submitted submit(ApiKey caller, JobSpec spec, RedisJobStore.Idempotency idempotency) {
        TierLimits limits = caller.limits(config::limits);
        String stream = keys.jobsStream();
        if (spec.sandboxId() == null) {
            spec = spec.withRuntime(runtime(limits, spec.runtime()));
        }
        long memory = limits.memoryBytes();
        boolean resumes = false;
        if (spec.sandboxId() != null) {
            String sandboxId = spec.sandboxId();
            Sandbox sandbox = sandboxes.find(sandboxId).filter(s -> s.keyId().equals(caller.id()))
                    .orElseThrow(() -> ProblemException.notFound("sandbox " + sandboxId));
            if (sandbox.ended()) {
                throw new SandboxEndedException(sandbox);
            }
            if (!sandbox.usable()) { // a paused one is resumed by its node before the job runs
                throw new ProblemException(Problem.of(409, "sandbox-not-ready", "Sandbox not ready",
                        "sandbox " + sandbox.id() + " is " + sandbox.state()));
            }
            stream = keys.nodeStream(sandbox.node());
            memory = sandbox.memoryBytes();
            if (spec.runtime() != null && !spec.runtime().equals(sandbox.runtime())) {
                throw ProblemException.badRequest("runtime", "a job in sandbox " + sandbox.id() + " runs in its runtime, "
                        + sandbox.runtime());
            }
            spec = spec.withRuntime(sandbox.runtime());
            resumes = sandbox.paused();
            sandboxes.touch(sandbox.id());
        }
        RedisJobStore.Submitted submitted = store.submit(JobIds.newJobId(), caller.id(), memory, spec, stream,
                limits.concurrentJobs(), idempotency, resumes);
        if (!submitted.replay()) {
            metrics.jobSubmitted(caller.tier());
            log.debug("job {} queued (key {}{})", submitted.job().id(), caller.id(),
                    spec.sandboxId() == null ? "" : ", sandbox " + spec.sandboxId());
        }
        return submitted;
    }

    /**
     * The runtime of a container asked for with {@code requested} (null: the key's default).
     *
     * @throws ProblemException 400 naming {@code runtime} when the key may not use it
     */
    public static String runtime(TierLimits limits, String requested, BoxqConfig config) {
        String runtime = limits.runtimeFor(requested, config.sandbox().runtime());
        if (runtime == null) {
            throw ProblemException.badRequest("runtime", "'" + requested + "' is not one of this key's runtimes "
                    + (limits.runtimes().isEmpty() ? List.of(config.sandbox().runtime()) : limits.runtimes()));
        }
        return runtime;
    }

    private String runtime(TierLimits limits, String requested) {
        return runtime(limits, requested, config);
    }
}
