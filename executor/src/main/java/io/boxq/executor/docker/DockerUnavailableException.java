package io.boxq.executor.docker;

/** The Docker engine did not do what was asked (down, refused, or timed out). */
public class DockerUnavailableException extends RuntimeException {
    public DockerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
