package io.boxq.executor.agent;

import io.boxq.executor.agent.AgentFrameReader.Frame;

/**
 * What the answer to one request may hold: which frame types, how many output bytes per stream
 * (the limit and one byte more, which says the stream was cut), and which frame ends it. Empty
 * output frames are refused, so the bytes also bound the number of frames.
 */
final class Budget {
    private final boolean output;
    private final boolean exit;
    private final boolean hello;
    private final long[] room = new long[3]; // by stream: 1 stdout, 2 stderr

    private Budget(boolean output, boolean exit, boolean hello, long stdout, long stderr) {
        this.output = output;
        this.exit = exit;
        this.hello = hello;
        room[1] = stdout;
        room[2] = stderr;
    }

    /** The agent's first words. */
    static Budget hello() {
        return new Budget(false, false, true, 0, 0);
    }

    /** A run: both streams up to {@code limit + 1} bytes, then its exit (or a status: it could not start). */
    static Budget run(int limit) {
        return new Budget(true, true, false, limit + 1L, limit + 1L);
    }

    /** A file read: up to {@code max + 1} bytes on stdout, then a status. */
    static Budget read(int max) {
        return new Budget(true, false, false, max + 1L, 0);
    }

    /** A request answered by a status alone (reset, write, stats). */
    static Budget status() {
        return new Budget(false, false, false, 0, 0);
    }

    /**
     * Counts a frame against the budget.
     *
     * @return true when it is the last frame of the answer
     * @throws AgentProtocolException when the answer may not hold it
     */
    synchronized boolean charge(Frame f) {
        switch (f.type()) {
            case AgentWire.OUT -> {
                if (!output) {
                    throw new AgentProtocolException("output in an answer that has none");
                }
                int stream = AgentWire.stream(f.payload());
                long bytes = f.payload().length - 1L;
                if (bytes > room[stream]) {
                    throw new AgentProtocolException("more output on stream " + stream + " than its limit allows");
                }
                room[stream] -= bytes;
                return false;
            }
            case AgentWire.EXIT -> {
                if (!exit) {
                    throw new AgentProtocolException("an exit frame in an answer to something other than a run");
                }
                return true;
            }
            case AgentWire.STATUS -> {
                if (hello) {
                    throw new AgentProtocolException("a status instead of a hello");
                }
                return true;
            }
            case AgentWire.HELLO -> {
                if (!hello) {
                    throw new AgentProtocolException("a hello in the middle of the conversation");
                }
                return true;
            }
            default -> throw new AgentProtocolException("a frame of unknown type " + (f.type() & 0xff));
        }
    }
}
