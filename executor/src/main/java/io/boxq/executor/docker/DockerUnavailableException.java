package io.boxq.executor.docker;

/** The Docker engine did not do what was asked (down, refused, or timed out). */
public class DockerUnavailableException extends RuntimeException {
    private final String leftBehind;

    public DockerUnavailableException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param leftBehind a container (id or name) the failed call may have created and could not remove (null: none) */
    public DockerUnavailableException(String message, Throwable cause, String leftBehind) {
        super(message, cause);
        this.leftBehind = leftBehind;
    }

    /** A container the failed call created and could not remove again, to be removed later; or null. */
    public String leftBehind() {
        return leftBehind;
    }
}
