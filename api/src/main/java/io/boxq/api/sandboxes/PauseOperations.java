package io.boxq.api.sandboxes;

import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.sandbox.Sandbox;
import java.time.Duration;

/**
 * Pause and resume of a caller's sandbox, shared by {@code /v1/sandboxes/{id}/pause|resume} and
 * the MCP tools (docs/architecture.md, "Pause and resume"). Both travel to the sandbox's node as
 * operations in the sandbox's line. Pausing a paused sandbox or resuming a running one changes
 * nothing and answers the sandbox as it is.
 */
public final class PauseOperations {
    /** Beyond {@link SandboxOp#PAUSE_WAIT}: time for the freeze itself and the answer's way back. */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(5);

    private final SandboxOperations operations;

    public PauseOperations(SandboxOperations operations) {
        this.operations = operations;
    }

    /**
     * Freezes the sandbox's processes. The pause waits its turn behind a running job for at most
     * {@link SandboxOp#PAUSE_WAIT}; a job is never frozen.
     *
     * @return the sandbox, paused
     * @throws ProblemException 409 {@code sandbox-busy} when a job kept it busy past the wait, 409
     *     {@code sandbox-not-ready} while it is being created, 503 when its node could not pause it
     * @throws io.boxq.core.sandbox.SandboxEndedException when it has ended (also meanwhile)
     */
    public Sandbox pause(ApiKey caller, String sandboxId) {
        Sandbox s = SandboxOperations.ready(operations.live(caller, sandboxId));
        if (s.paused()) {
            return s;
        }
        Job done = operations.runOp(caller, s, new SandboxOp(SandboxOp.Kind.PAUSE, null), null,
                SandboxOp.PAUSE_WAIT.plus(ANSWER_MARGIN));
        if (done.state() == JobState.SUCCEEDED) {
            return operations.live(caller, sandboxId);
        }
        operations.failIfEnded(s);
        if (done.state() == JobState.CANCELLED || !done.state().isTerminal()) {
            throw new ProblemException(Problem.of(409, "sandbox-busy", "Sandbox busy",
                    "a job kept sandbox " + s.id() + " busy for longer than a pause waits ("
                            + SandboxOp.PAUSE_WAIT.toSeconds() + " s); try again when it has ended"));
        }
        throw unavailable(done);
    }

    /**
     * Thaws a paused sandbox; its processes go on where they stopped.
     *
     * @return the sandbox, running
     * @throws ProblemException 503 when its node could not resume it
     * @throws io.boxq.core.sandbox.SandboxEndedException when it has ended (also meanwhile)
     */
    public Sandbox resume(ApiKey caller, String sandboxId) {
        Sandbox s = operations.live(caller, sandboxId);
        if (!s.paused()) {
            return s;
        }
        Job done = operations.runOp(caller, s, SandboxOp.Kind.RESUME, null, null);
        if (done.state() == JobState.SUCCEEDED) {
            return operations.live(caller, sandboxId);
        }
        operations.failIfEnded(s);
        throw unavailable(done);
    }

    private static ProblemException unavailable(Job done) {
        return new ProblemException(Problem.of(503, "sandbox-unavailable", "Sandbox unavailable",
                done.error() != null ? done.error() : "the sandbox's node did not answer in time"));
    }
}
