package io.boxq.core.sandbox;

/** No such sandbox for this caller: also thrown for another key's sandbox, which must look the same. */
public class SandboxNotFoundException extends RuntimeException {
    public SandboxNotFoundException(String id) {
        super("no sandbox " + id);
    }
}
