package io.boxq.core.job;

/** No such job for this caller: also thrown for another key's job, which must look the same. */
public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(String id) {
        super("no job " + id);
    }
}
