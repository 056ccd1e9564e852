package io.boxq.client.jobs;

/** What {@link JobEventStream} yields: output chunks as the command writes them, then the result. */
public sealed interface JobEvent {

    /**
     * A chunk of {@code stdout} or {@code stderr}.
     *
     * @param offset where the chunk starts in its stream (bytes)
     * @param id     the event id: where the client stands, {@code <stdout bytes>.<stderr bytes>}
     */
    record Output(String stream, long offset, byte[] data, String id) implements JobEvent {}

    /** The job once it ended: the last event. */
    record Result(Job job) implements JobEvent {}
}
