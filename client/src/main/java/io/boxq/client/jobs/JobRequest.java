package io.boxq.client.jobs;

import java.util.Map;

/**
 * What {@code POST /v1/jobs} takes. Only {@code command} is required; null fields are left out and
 * the server's defaults apply. Build one with {@link #of(String)} and the {@code with…} methods.
 */
public record JobRequest(
        String command,
        String sandboxId,
        String image,
        String runtime,
        Map<String, String> env,
        String workdir,
        String stdin,
        Integer timeoutS,
        String callbackUrl,
        Map<String, String> metadata,
        Integer maxAttempts) {

    public static JobRequest of(String command) {
        return new JobRequest(command, null, null, null, null, null, null, null, null, null, null);
    }

    public JobRequest withSandbox(String id) {
        return new JobRequest(command, id, image, runtime, env, workdir, stdin, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withImage(String name) {
        return new JobRequest(command, sandboxId, name, runtime, env, workdir, stdin, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    /** The OCI runtime of its container ({@code runc}, {@code runsc}, …): one of the key's; not with a sandbox. */
    public JobRequest withRuntime(String name) {
        return new JobRequest(command, sandboxId, image, name, env, workdir, stdin, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withEnv(Map<String, String> vars) {
        return new JobRequest(command, sandboxId, image, runtime, vars, workdir, stdin, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withWorkdir(String dir) {
        return new JobRequest(command, sandboxId, image, runtime, env, dir, stdin, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withStdin(String input) {
        return new JobRequest(command, sandboxId, image, runtime, env, workdir, input, timeoutS, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withTimeoutSeconds(int seconds) {
        return new JobRequest(command, sandboxId, image, runtime, env, workdir, stdin, seconds, callbackUrl, metadata, maxAttempts);
    }

    public JobRequest withCallbackUrl(String url) {
        return new JobRequest(command, sandboxId, image, runtime, env, workdir, stdin, timeoutS, url, metadata, maxAttempts);
    }

    public JobRequest withMetadata(Map<String, String> data) {
        return new JobRequest(command, sandboxId, image, runtime, env, workdir, stdin, timeoutS, callbackUrl, data, maxAttempts);
    }

    public JobRequest withMaxAttempts(int attempts) {
        return new JobRequest(command, sandboxId, image, runtime, env, workdir, stdin, timeoutS, callbackUrl, metadata, attempts);
    }
}
