package io.boxq.executor.pool;

/**
 * What makes containers interchangeable: a container of one shape can be handed out for any job
 * of that shape without changing it (docs/architecture.md, "Containers").
 */
public record Shape(String image, long memoryBytes, String network) {
    /** A short, label-safe name of the shape, such as {@code boxq-sandbox_busybox-256m-none}. */
    public String label() {
        return image.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + (memoryBytes >> 20) + "m-" + network;
    }
}
