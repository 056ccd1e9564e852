package io.boxq.api.sandboxes;

import io.boxq.api.request.RequestBody;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.json.Json;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.sandbox.QuotaExceededException;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/sandboxes/{id}/fork}: new sandboxes of the same key, image, memory and env as a
 * live one, each with a copy of its workspace, on its node (docs/architecture.md, "Snapshots and
 * forks"). Their places are taken in one Lua call, all or none, with every limit of a create and the
 * room left on the node; the node copies the workspace from container to container.
 */
public final class SandboxForks {
    public static final int MAX_COUNT = 10;
    private static final Duration FORK_WAIT = Duration.ofMinutes(5);

    private final BoxqConfig config;
    private final RedisSandboxStore sandboxes;
    private final SandboxOperations operations;
    private final NodeDirectory nodes;
    private final AuditLog audit;
    private final Clock clock;

    public SandboxForks(BoxqConfig config, RedisSandboxStore sandboxes, SandboxOperations operations, NodeDirectory nodes,
            AuditLog audit, Clock clock) {
        this.config = config;
        this.sandboxes = sandboxes;
        this.operations = operations;
        this.nodes = nodes;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Forks one of the caller's live sandboxes {@code count} times ({@code {count?}}, 1–10, default 1).
     *
     * @return the new sandboxes, ready
     * @throws QuotaExceededException when the key's places do not suffice for all of them (429)
     * @throws ProblemException 400 for a bad count, 409 when the sandbox's node has no room for them
     */
    public List<Sandbox> fork(ApiKey caller, String sandboxId, String body) {
        Sandbox source = SandboxOperations.ready(operations.live(caller, sandboxId));
        RequestBody b = RequestBody.parseOptional(body, Set.of("count"));
        int count = b.integer("count", 1, 1, MAX_COUNT);
        b.validate();
        TierLimits limits = caller.limits(config::limits);
        Duration maxLifetime = SandboxOperations.maxLifetime(config, limits);
        Duration ttl = config.sandboxLimits().sessionTimeout().compareTo(maxLifetime) < 0
                ? config.sandboxLimits().sessionTimeout() : maxLifetime;
        Instant now = clock.instant();
        List<Sandbox> forks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            forks.add(new Sandbox("sbx_" + RandomIds.hex(12), caller.id(), caller.user(), source.node(), null,
                    source.image(), source.memoryBytes(), source.env(), "creating", now, now, source.idleTimeout(),
                    now.plus(ttl), now.plus(maxLifetime), null).withRuntime(source.runtime()));
        }
        reserve(forks, limits, source.node());
        byte[] payload = Json.write(Map.of("sandbox_ids", forks.stream().map(Sandbox::id).toList()))
                .getBytes(StandardCharsets.UTF_8);
        Job done = operations.runOp(caller, source, SandboxOp.Kind.FORK, null, payload, FORK_WAIT);
        CommandResult r = done.result();
        if (r == null || r.exitCode() != 0) {
            forks.forEach(sandboxes::discard);
            operations.failIfEnded(source);
            throw new ProblemException(Problem.of(503, "fork-failed", "Fork failed", r != null
                    ? new String(r.stderr(), StandardCharsets.UTF_8)
                    : done.error() != null ? done.error() : "the sandbox's node did not answer in time"));
        }
        forks.forEach(f -> audit.record(caller.id(), "sandbox.created", f.id(),
                Map.of("node", f.node(), "fork_of", source.id())));
        return forks.stream().map(f -> sandboxes.get(f.id(), caller.id())).toList();
    }

    private void reserve(List<Sandbox> forks, TierLimits limits, String node) {
        int room = nodes.liveNodes().stream().filter(n -> n.id().equals(node)).findFirst()
                .map(n -> n.figure("max_capacity"))
                .orElseThrow(() -> nodeFull("the sandbox's node " + node + " is not running"));
        try {
            sandboxes.reserveAll(forks, new RedisSandboxStore.Limits(limits.maxSandboxes(),
                    config.sandboxLimits().maxPerApiKey().orElse(-1), config.sandboxLimits().maxPerUser().orElse(-1),
                    config.sandboxLimits().maxTotalSandboxes()), room);
        } catch (QuotaExceededException e) {
            if ("node".equals(e.limit())) {
                throw nodeFull(e.getMessage());
            }
            throw e;
        }
    }

    private static ProblemException nodeFull(String detail) {
        return new ProblemException(Problem.of(409, "node-full", "No room on the sandbox's node", detail
                + "; a fork must live on its source's node"));
    }
}
