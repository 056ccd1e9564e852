package io.boxq.core.sandbox;

/** The caller's sandbox has ended: nothing can act on it any more (its record is still readable). */
public class SandboxEndedException extends RuntimeException {
    private final transient Sandbox sandbox;

    public SandboxEndedException(Sandbox sandbox) {
        super("sandbox " + sandbox.id() + " has ended (" + sandbox.state() + " at " + sandbox.endedAt() + ")"
                + (sandbox.endReason() != null ? ": " + sandbox.endReason() : ""));
        this.sandbox = sandbox;
    }

    public Sandbox sandbox() {
        return sandbox;
    }
}
