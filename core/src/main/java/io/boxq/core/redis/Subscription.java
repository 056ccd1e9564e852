package io.boxq.core.redis;

import java.time.Duration;
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
    private volatile boolean running = true;
    private Thread thread;

    public Subscription(Redis redis, String channel, Consumer<String> onMessage) {
        this.redis = redis;
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
        };
    }

    public Subscription start() {
        thread = Thread.ofPlatform().name("boxq-sub-" + channel).daemon().start(this::listen);
        return this;
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(100);
        while (running) {
            try {
                redis.run(j -> j.subscribe(pubSub, channel));
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("subscription to {} lost, again in {} ms: {}", channel, backoff.toMillis(), e.getMessage());
                }
            }
            if (!running) {
                return;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    @Override
    public void close() {
        running = false;
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
