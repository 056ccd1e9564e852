package io.boxq.core.redis;

import io.boxq.core.config.RedisConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The one Redis client of a process: a plain Redis at {@code REDIS_URL}, or the primary that
 * Sentinels name (followed through failovers: Jedis moves the pool to the new primary when the
 * Sentinels announce it). Every call goes through {@link #call} or {@link #acknowledged}, which
 * turn a lost connection, and Redis's passing answers while it loads or switches (LOADING,
 * READONLY, MASTERDOWN, BUSY, TRYAGAIN, ...), into {@link StoreUnavailableException}; data errors
 * (a bug) stay Jedis exceptions. See docs/reliability.md.
 */
public final class Redis implements AutoCloseable {
    /** First words of the error answers that pass: Redis is loading, switching roles or briefly busy. */
    static final Set<String> PASSING_ANSWERS =
            Set.of("LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN", "UNBLOCKED", "NOREPLICAS");

    private final ConnectionProvider provider;
    private final UnifiedJedis client;
    private final RedisKeys keys;
    private final String description;
    private final Supplier<HostAndPort> primary;
    private final JedisClientConfig clientConfig;
    /** For subscriptions: a plain {@link Jedis} speaks RESP2 (and warns at every connect when not told so). */
    private final JedisClientConfig subscriberConfig;
    private final int waitReplicas;
    private final long waitTimeoutMillis;

    /** A plain Redis at {@code url}, no replicas waited for (tests, tools). */
    public Redis(String url, String prefix, int maxConnections) {
        this(new RedisConfig(url, prefix), maxConnections);
    }

    /**
     * @throws IllegalArgumentException when {@code REDIS_URL} is not a Redis URL
     * @throws IllegalStateException    when no Sentinel answers, or none knows the primary by its name
     */
    public Redis(RedisConfig config, int maxConnections) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(2);
        pool.setMaxWait(Duration.ofSeconds(2));
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(true);
        this.keys = new RedisKeys(config.prefix());
        this.waitReplicas = config.waitReplicas();
        this.waitTimeoutMillis = config.waitTimeout().toMillis();
        if (config.usesSentinel()) {
            this.clientConfig = timeouts(DefaultJedisClientConfig.builder()).password(config.password()).build();
            Set<HostAndPort> sentinels = config.sentinels().stream().map(HostAndPort::from).collect(Collectors.toSet());
            this.description = "Redis primary '" + config.masterName() + "' of Sentinels " + config.sentinels();
            JedisClientConfig sentinelConfig = timeouts(DefaultJedisClientConfig.builder())
                    .password(config.sentinelPassword()).protocol(RedisProtocol.RESP2).build();
            SentineledConnectionProvider sentineled;
            try {
                sentineled = new SentineledConnectionProvider(config.masterName(), clientConfig, pool, sentinels,
                        sentinelConfig);
            } catch (JedisException e) {
                throw new IllegalStateException("no primary found through REDIS_SENTINELS " + config.sentinels()
                        + " for REDIS_MASTER_NAME '" + config.masterName() + "': " + e.getMessage(), e);
            }
            this.provider = sentineled;
            this.primary = sentineled::getCurrentMaster;
        } else {
            URI uri = URI.create(config.url());
            if (!JedisURIHelper.isValid(uri)) {
                throw new IllegalArgumentException("REDIS_URL is not a redis:// URL: " + redact(config.url()));
            }
            HostAndPort address = JedisURIHelper.getHostAndPort(uri);
            this.clientConfig = timeouts(DefaultJedisClientConfig.builder())
                    .user(JedisURIHelper.getUser(uri))
                    .password(config.password() != null ? config.password() : JedisURIHelper.getPassword(uri))
                    .database(JedisURIHelper.getDBIndex(uri))
                    .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                    .build();
            this.description = "Redis at " + redact(config.url());
            this.provider = new PooledConnectionProvider(address, clientConfig, pool);
            this.primary = () -> address;
        }
        this.client = RedisClient.builder().connectionProvider(provider).build();
        this.subscriberConfig = DefaultJedisClientConfig.builder().from(clientConfig).protocol(RedisProtocol.RESP2).build();
    }

    private static DefaultJedisClientConfig.Builder timeouts(DefaultJedisClientConfig.Builder b) {
        return b.connectionTimeoutMillis(2000).socketTimeoutMillis(5000);
    }

    public RedisKeys keys() {
        return keys;
    }

    public <T> T call(Function<UnifiedJedis, T> command) {
        return guarded(() -> command.apply(client));
    }

    public void run(java.util.function.Consumer<UnifiedJedis> command) {
        call(j -> {
            command.accept(j);
            return null;
        });
    }

    /**
     * Runs a write that creates an obligation (a job accepted, a start, a result, a sandbox, a key)
     * and, with {@code REDIS_WAIT_REPLICAS} above 0, answers only once that many replicas confirmed
     * it: {@code WAIT} runs on the same connection right after the write (WAIT on another connection
     * proves nothing about this one's writes). {@code write} must not use a pipeline.
     *
     * @throws WriteNotAcknowledgedException when the replicas did not confirm in time (the write
     *                                       may be kept or not: repeating it must be safe)
     */
    public <T> T acknowledged(Function<UnifiedJedis, T> write) {
        if (waitReplicas == 0) {
            return call(write);
        }
        return guarded(() -> {
            try (OneConnection one = new OneConnection(provider.getConnection())) {
                T result = write.apply(one);
                long confirmed = (Long) one.sendCommand(Protocol.Command.WAIT, Integer.toString(waitReplicas),
                        Long.toString(waitTimeoutMillis));
                if (confirmed < waitReplicas) {
                    throw new WriteNotAcknowledgedException(confirmed + " of " + waitReplicas
                            + " replicas confirmed a write within " + waitTimeoutMillis + " ms");
                }
                return result;
            }
        });
    }

    /** The replicas each acknowledged write waits for (REDIS_WAIT_REPLICAS). */
    public int waitReplicas() {
        return waitReplicas;
    }

    private <T> T guarded(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisConnectionException e) {
            throw unreachable(e);
        } catch (JedisDataException e) {
            if (passing(e.getMessage())) {
                throw new StoreUnavailableException(description + " answered " + e.getMessage(), e);
            }
            throw e;
        } catch (JedisException e) {
            // A pool that cannot hand out a connection (Redis down) wraps the cause; data errors stay as they are.
            if (e.getCause() instanceof JedisConnectionException || e.getCause() instanceof java.util.NoSuchElementException) {
                throw unreachable(e);
            }
            throw e;
        }
    }

    /**
     * True for an error answer that passes (Redis loading its data, a demoted primary, a primary
     * that lost its replicas, a long script): also when a Lua script's {@code redis.call} got it.
     */
    static boolean passing(String message) {
        if (message == null) {
            return false;
        }
        int space = message.indexOf(' ');
        if (PASSING_ANSWERS.contains(space < 0 ? message : message.substring(0, space))) {
            return true;
        }
        return PASSING_ANSWERS.stream().anyMatch(word -> message.contains("-" + word + " "));
    }

    private StoreUnavailableException unreachable(Exception e) {
        return new StoreUnavailableException(description + " is unreachable", e);
    }

    /**
     * Follows {@code channels} on a connection of its own (to the primary of the moment) until
     * {@code pubSub} unsubscribes, then closes it. Never on a pooled connection: one given back
     * after an unsubscribe can still hold messages pushed meanwhile, and the next command read on
     * it would take them for its reply.
     *
     * @throws StoreUnavailableException when Redis cannot be reached, or the connection broke
     */
    public void subscribe(JedisPubSub pubSub, String... channels) {
        guarded(() -> {
            try (Jedis own = new Jedis(primary.get(), subscriberConfig)) {
                own.subscribe(pubSub, channels);
            }
            return null;
        });
    }

    /** Where Redis is, without a password, for logs and messages. */
    public String redactedUrl() {
        return description;
    }

    /**
     * {@code url} with its user and password (all before the last {@code @} of the address) as
     * {@code ***}, for logs, messages and the printed configuration; a URL without them as it is.
     */
    public static String redact(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        return url.substring(0, scheme + 3) + "***" + url.substring(at);
    }

    @Override
    public void close() {
        client.close();
    }

    /** Commands on one borrowed connection, given back to its pool on close. */
    private static final class OneConnection extends UnifiedJedis {
        OneConnection(Connection connection) {
            super(connection);
        }
    }
}
