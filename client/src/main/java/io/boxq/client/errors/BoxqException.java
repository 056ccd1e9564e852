package io.boxq.client.errors;

/** Every error the client throws: an answer of the server ({@link ProblemException}) or no answer at all. */
public class BoxqException extends RuntimeException {
    public BoxqException(String message) {
        super(message);
    }

    public BoxqException(String message, Throwable cause) {
        super(message, cause);
    }
}
