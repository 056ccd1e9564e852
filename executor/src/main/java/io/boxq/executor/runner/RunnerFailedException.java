package io.boxq.executor.runner;

/** The runner (not the command) failed; the container cannot be trusted any more. */
public class RunnerFailedException extends RuntimeException {
    private final boolean commandStarted;

    public RunnerFailedException(String message, boolean commandStarted, Throwable cause) {
        super(message, cause);
        this.commandStarted = commandStarted;
    }

    /** True when the command may have started: running it again would run it twice. */
    public boolean commandStarted() {
        return commandStarted;
    }
}
