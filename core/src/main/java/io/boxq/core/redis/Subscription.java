package io.boxq.core.redis;

import java.time.Duration;
import io.boxq.core.retry.Backoff;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;

/**
 * One pub/sub channel followed on a daemon thread, subscribing again with backoff when the
 * connection is lost. Messages sent while it is down are lost: callers must not depend on them
 * alone.
 */
public final class Subscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final Redis redis;
    private final String channel;
    private final Consumer<String> onMessage;
    private final JedisPubSub pubSub;
    private final Runnable onSubscribed;
    private volatile boolean running = true;
    private volatile boolean subscribed;
    /** Used on the subscription's own thread only (onSubscribe runs there too). */
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_BACKOFF);
    private Thread thread;

    public Subscription(Redis redis, String channel, Consumer<String> onMessage) {
        this(redis, channel, onMessage, () -> { });
    }

    /**
     * @param onSubscribed run each time the subscription is (again) in place, before any message
     *                     it brings: what was missed while it was down can be settled there
     */
    public Subscription(Redis redis, String channel, Consumer<String> onMessage, Runnable onSubscribed) {
        this.redis = redis;
        this.onSubscribed = onSubscribed;
        this.channel = channel;
        this.onMessage = onMessage;
        this.pubSub = new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
                try {
                    Subscription.this.onMessage.accept(message);
                } catch (RuntimeException e) {
                    log.warn("handling a message on {} failed: {}", ch, e.getMessage());
                }
            }

            @Override
            public void onSubscribe(String ch, int subscribedChannels) {
                try {
                    Subscription.this.onSubscribed.run();
                } finally {
                    backoff.reset();
                    subscribed = true;
                }
            }
        };
    }

    public Subscription start() {
        thread = Thread.ofPlatform().name("boxq-sub-" + channel).daemon().start(this::listen);
        return this;
    }

    private void listen() {
        while (running) {
            try {
                redis.subscribe(pubSub, channel);
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("subscription to {} lost, subscribing again shortly: {}", channel, e.getMessage());
                }
            }
            subscribed = false;
            if (!running) {
                return;
            }
            if (!backoff.pause()) {
                return;
            }
        }
    }

    /** True while the channel is followed: no message sent now is missed. */
    public boolean subscribed() {
        return subscribed && running;
    }

    @Override
    public void close() {
        running = false;
        subscribed = false;
        try {
            if (pubSub.isSubscribed()) {
                pubSub.unsubscribe();
            }
        } catch (RuntimeException e) {
            log.debug("unsubscribe from {}: {}", channel, e.getMessage());
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
