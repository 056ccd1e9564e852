package io.boxq.executor.pool;

/**
 * What makes containers interchangeable: a container of one shape can be handed out for any job
 * of that shape without changing it (docs/architecture.md, "Containers"). {@code runtime} is the
 * OCI runtime (runc, runsc, …); null only where a caller has no deployment to ask (the engine's default).
 */
public record Shape(String image, long memoryBytes, String network, String runtime) {
    /** A shape of the engine's default runtime. */
    public Shape(String image, long memoryBytes, String network) {
        this(image, memoryBytes, network, null);
    }

    /** A short, label-safe name of the shape, such as {@code boxq-sandbox_busybox-256m-none-runc}. */
    public String label() {
        return image.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + (memoryBytes >> 20) + "m-" + network
                + (runtime == null ? "" : "-" + runtime);
    }
}
