package io.boxq.executor.runner;

import java.time.Duration;

/**
 * The shell scripts that do file calls and stats samples for a runner without an agent (the
 * {@code docker exec} path): each runs as a command of its own.
 */
final class ScriptedOps {
    static final String READ_FILE = ExecCommandRunner.resource("file_read.sh");
    static final String WRITE_FILE = ExecCommandRunner.resource("file_write.sh");
    static final String STATS = ExecCommandRunner.resource("stats.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ScriptedOps() {}
}
