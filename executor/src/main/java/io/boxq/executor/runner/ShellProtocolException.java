package io.boxq.executor.runner;

/**
 * The runner's stream is unusable: it ended, broke, or carried something that is not an answer to
 * the request in flight. The runner is dead after this; callers turn it into a
 * {@link RunnerFailedException}.
 */
final class ShellProtocolException extends RuntimeException {
    ShellProtocolException(String message) {
        super(message);
    }
}
