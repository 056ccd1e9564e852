package io.boxq.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.api.request.RequestBody;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.JobSpec;
import io.boxq.core.webhook.AddressPolicy;
import io.boxq.core.webhook.CallbackUrlCheck;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** Turns a submit body into a {@link JobSpec}, or a 400 naming every field at fault. */
public final class JobRequestParser {
    static final Set<String> FIELDS = Set.of("command", "sandbox_id", "image", "runtime", "env", "workdir", "stdin",
            "timeout_s", "callback_url", "metadata", "max_attempts");
    static final int MAX_COMMAND = 64 * 1024;
    static final int MAX_STDIN = 1 << 20;
    /** The names an {@code env} map may use, for jobs and sandboxes alike. */
    public static final String ENV_NAME = "[A-Za-z_][A-Za-z0-9_]{0,127}";
    static final String METADATA_NAME = "[A-Za-z0-9_.:-]{1,64}";
    static final int MAX_ATTEMPTS = 5;

    private final BoxqConfig config;
    private final CallbackUrlCheck callbackUrls;

    public JobRequestParser(BoxqConfig config) {
        this.config = config;
        this.callbackUrls = new CallbackUrlCheck(AddressPolicy.of(config.webhooks()));
    }

    public JobSpec parse(String body) {
        return parse(RequestBody.parse(body, FIELDS));
    }

    /** One job of a batch, already read as JSON. */
    public JobSpec parse(JsonNode job) {
        return parse(RequestBody.of(job, FIELDS));
    }

    private JobSpec parse(RequestBody b) {
        String command = b.string("command", true, MAX_COMMAND);
        String sandbox = b.string("sandbox_id", false, 64);
        String image = b.string("image", false, 256);
        if (image != null && !config.sandbox().allowedImages().contains(image)) {
            b.error("image", "is not one of the allowed images " + config.sandbox().allowedImages());
        }
        String runtime = b.string("runtime", false, 64);
        if (runtime != null && !config.sandbox().allowedRuntimes().contains(runtime)) {
            b.error("runtime", "is not one of the runtimes offered here " + config.sandbox().allowedRuntimes());
        }
        Map<String, String> env = b.stringMap("env", ENV_NAME, 128, 32 * 1024);
        String workdir = b.string("workdir", false, 1024);
        if (workdir != null && !workdir.startsWith("/")) {
            b.error("workdir", "must be an absolute path");
        }
        String stdin = b.string("stdin", false, MAX_STDIN);
        int maxTimeout = (int) config.jobs().maxCommandTimeout().toSeconds();
        int timeout = b.integer("timeout_s", (int) config.jobs().commandTimeout().toSeconds(), 1, maxTimeout);
        String callback = b.string("callback_url", false, 2048);
        if (callback != null) {
            callbackUrls.problem(callback).ifPresent(problem -> b.error("callback_url", problem));
        }
        Map<String, String> metadata = b.stringMap("metadata", METADATA_NAME, 16, 1024);
        int attempts = b.integer("max_attempts", 1, 1, MAX_ATTEMPTS);
        b.validate();
        return new JobSpec(command, sandbox, image, env, workdir,
                stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), timeout, callback, metadata, attempts,
                runtime);
    }

    public static boolean isHttpUrl(String s) {
        try {
            URI uri = new URI(s);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
