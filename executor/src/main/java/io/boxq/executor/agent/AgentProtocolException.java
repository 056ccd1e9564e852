package io.boxq.executor.agent;

/** The agent (or whatever speaks in its place) broke the protocol; its container is not trusted any more. */
public final class AgentProtocolException extends RuntimeException {
    public AgentProtocolException(String message) {
        super(message);
    }
}
