package io.boxq.core.job;

import java.util.Map;

/**
 * What a client asked to run. Validated by the api before it gets here; the compact constructor
 * only guards the invariants the executor relies on.
 *
 * @param timeoutSeconds the deadline of the command, already clamped to the configured maximum
 * @param stdin bytes fed to the command's standard input (empty for none)
 * @param runtime the OCI runtime of its container (runc, runsc, …): what the client asked for until the
 *     api resolves it against the key's runtimes; a sandbox's job runs in the sandbox's
 */
public record JobSpec(
        String command,
        String sandboxId,
        String image,
        Map<String, String> env,
        String workdir,
        byte[] stdin,
        int timeoutSeconds,
        String callbackUrl,
        Map<String, String> metadata,
        int maxAttempts,
        String runtime) {

    public JobSpec {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("command is required");
        }
        if (timeoutSeconds <= 0 || maxAttempts <= 0) {
            throw new IllegalArgumentException("timeout and attempts must be positive");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        stdin = stdin == null ? new byte[0] : stdin.clone();
    }

    public static JobSpec of(String command, int timeoutSeconds) {
        return new JobSpec(command, null, null, Map.of(), null, null, timeoutSeconds, null, Map.of(), 1, null);
    }

    /** This spec, calling back {@code url} when it names no callback URL of its own (a key's default). */
    public JobSpec withDefaultCallbackUrl(String url) {
        if (callbackUrl != null || url == null) {
            return this;
        }
        return new JobSpec(command, sandboxId, image, env, workdir, stdin, timeoutSeconds, url, metadata, maxAttempts,
                runtime);
    }

    /** This spec, run in {@code runtime}. */
    public JobSpec withRuntime(String runtime) {
        return new JobSpec(command, sandboxId, image, env, workdir, stdin, timeoutSeconds, callbackUrl, metadata,
                maxAttempts, runtime);
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
