package io.boxq.client.errors;

/** The server could not be reached, or the connection broke, after the client's retries. */
public final class ConnectionException extends BoxqException {
    public ConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
