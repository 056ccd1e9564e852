package io.boxq.executor.agent;

import io.boxq.executor.agent.AgentFrameReader.Frame;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One agent's connection. A virtual thread reads its frames for as long as it is open (so an agent
 * that dies is noticed at once, also in an idle container, without a platform thread per
 * container) and hands them to the request waiting for them. A frame nobody asked for, one past the
 * budget of the request it answers, or any frame after that request's last one breaks the
 * connection: the agent shares its user with the commands, so whatever speaks on this socket may
 * not be the agent, and it must never fill the node's memory or leave a thread stuck.
 *
 * <p>One request at a time ({@link #expect} then {@link #send}, then {@link #next} until its last
 * frame); {@link #send} of a kill and {@link #close} may come from any thread.
 */
final class AgentConnection implements AutoCloseable {
    /** Put in the inbox when the connection broke, so a waiting request wakes up. */
    private static final Frame BROKEN = new Frame((byte) 0, new byte[0]);
    /**
     * Frames read ahead of the request that takes them. Past this the reader waits, and so does the
     * agent: the budget bounds the bytes, this bounds the frames (one byte each costs ~70 on the heap).
     */
    private static final int READ_AHEAD = 64;

    private final ByteChannel channel;
    private final BlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
    private final Semaphore readAhead = new Semaphore(READ_AHEAD);
    private final Thread reader;
    private volatile Budget budget;
    private volatile String failure;
    private volatile boolean sentUnread;

    /** @param first what the agent may send before anything is asked (its hello) */
    AgentConnection(ByteChannel channel, String name, Budget first) {
        this.channel = channel;
        this.budget = first;
        this.reader = Thread.ofVirtual().name("agent-" + name).start(this::readLoop);
    }

    /** What the answer to the next request may hold; set before the request is sent. */
    void expect(Budget answer) {
        if (failure != null) {
            throw new AgentProtocolException(failure);
        }
        List<Frame> stale = new ArrayList<>();
        inbox.drainTo(stale);
        readAhead.release((int) stale.stream().filter(f -> f != BROKEN).count());
        budget = answer;
    }

    /** Writes one request frame whole (writes are serialised by the channel). */
    void send(byte[] frame) throws IOException {
        if (failure != null) {
            throw new IOException(failure);
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /**
     * The next frame of the answer, waiting until {@code deadlineNanos} at most.
     *
     * @return null when none came in time
     * @throws AgentProtocolException when the connection broke (the reason is its message)
     */
    Frame next(long deadlineNanos) throws InterruptedException {
        Frame f = inbox.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (f == BROKEN) {
            inbox.offer(BROKEN); // every later wait wakes too
            throw new AgentProtocolException(failure);
        }
        if (f != null) {
            readAhead.release();
        }
        return f;
    }

    boolean alive() {
        return failure == null;
    }

    /** Why the connection broke, or null. */
    String failure() {
        return failure;
    }

    /**
     * Whether the agent went away with bytes of ours still unread: its socket was closed with data
     * in its receive queue, which Linux answers with {@code ECONNRESET} (a close with nothing unread
     * is a plain end of stream). Every request is answered before the next is sent, so the unread
     * bytes are the last request's: the agent never read all of it.
     */
    boolean sentUnread() {
        return sentUnread;
    }

    /** Breaks the connection for {@code why} (kept when it already broke) and ends the reader. */
    void fail(String why) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = why;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closed anyway
        }
        inbox.offer(BROKEN);
        reader.interrupt(); // it may wait for read-ahead room nobody will make now
    }

    @Override
    public void close() {
        fail("the connection to the agent was closed");
    }

    /** For tests: the reader has ended (after a failure it always does). */
    boolean readerEnded(long millis) throws InterruptedException {
        return reader.join(java.time.Duration.ofMillis(millis));
    }

    private void readLoop() {
        AgentFrameReader frames = new AgentFrameReader(channel);
        try {
            while (failure == null) {
                Frame f = frames.next();
                if (f == null) {
                    fail("the agent closed its connection");
                    return;
                }
                Budget b = budget;
                if (b == null) {
                    throw new AgentProtocolException("the agent sent a frame nobody asked for (type " + (char) f.type() + ")");
                }
                if (b.charge(f)) {
                    budget = null; // the answer is whole: anything more is not an answer
                }
                readAhead.acquire();
                inbox.offer(f);
            }
        } catch (InterruptedException e) {
            fail("the connection to the agent was closed");
        } catch (AgentProtocolException e) {
            fail(e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof SocketException && "Connection reset".equals(e.getMessage())) {
                sentUnread = true; // before fail(): the request it wakes reads it
            }
            fail("the connection to the agent broke: " + e.getMessage());
        }
    }
}
