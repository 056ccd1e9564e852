package io.boxq.executor.runner;

import io.boxq.core.job.FileExit;
import java.time.Duration;

/**
 * The shell scripts that do file calls and stats samples for a runner without an agent (the
 * {@code docker exec} path): each runs as a command of its own.
 */
final class ScriptedOps {
    static final String READ_FILE = fileScript("file_read.sh");
    static final String WRITE_FILE = fileScript("file_write.sh");
    static final String STATS = ExecCommandRunner.resource("stats.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ScriptedOps() {}

    /** A file script with its exit codes ({@code @NOT_FOUND@}, {@code @OUTSIDE@}, {@code @DIRECTORY@}) filled in from {@link FileExit}. */
    static String fileScript(String name) {
        return ExecCommandRunner.resource(name).replace("@NOT_FOUND@", Integer.toString(FileExit.NOT_FOUND))
                .replace("@OUTSIDE@", Integer.toString(FileExit.OUTSIDE))
                .replace("@DIRECTORY@", Integer.toString(FileExit.DIRECTORY));
    }
}
