package io.boxq.core.job;

/**
 * The exit codes of a file operation ({@link SandboxOp.Kind#READ_FILE}, {@link SandboxOp.Kind#WRITE_FILE}),
 * the reason on stderr: the executor's runners give them (the agent's {@code boxq-agent.c}, which
 * defines the same numbers, and the {@code file_*.sh} scripts, filled in from these), the api turns
 * them into its answer. Any other non-zero code is a failure of the call itself.
 */
public final class FileExit {
    /** Done. */
    public static final int OK = 0;
    /** No such file (a read), or a directory that cannot be made (a write). */
    public static final int NOT_FOUND = 2;
    /** The path leaves the workspace, or is a symlink. */
    public static final int OUTSIDE = 3;
    /** The path is a directory. */
    public static final int DIRECTORY = 4;

    private FileExit() {}
}
