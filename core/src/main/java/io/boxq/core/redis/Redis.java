package io.boxq.core.redis;

import java.net.URI;
import java.time.Duration;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The one Redis client of a process. Every call goes through {@link #call}, which turns a lost
 * connection into {@link StoreUnavailableException}; data errors (a bug) stay Jedis exceptions.
 */
public final class Redis implements AutoCloseable {
    private final RedisClient client;
    private final RedisKeys keys;
    private final String url;
    private final redis.clients.jedis.HostAndPort address;
    private final redis.clients.jedis.JedisClientConfig clientConfig;

    public Redis(String url, String prefix, int maxConnections) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(2);
        pool.setMaxWait(Duration.ofSeconds(2));
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(true);
        URI uri = URI.create(url);
        if (!JedisURIHelper.isValid(uri)) {
            throw new IllegalArgumentException("REDIS_URL is not a redis:// URL: " + redact(url));
        }
        this.address = JedisURIHelper.getHostAndPort(uri);
        this.clientConfig = DefaultJedisClientConfig.builder()
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis(5000)
                .build();
        this.client = RedisClient.builder()
                .hostAndPort(address)
                .clientConfig(clientConfig)
                .poolConfig(pool)
                .build();
        this.keys = new RedisKeys(prefix);
        this.url = url;
    }

    public RedisKeys keys() {
        return keys;
    }

    public <T> T call(Function<UnifiedJedis, T> command) {
        try {
            return command.apply(client);
        } catch (JedisConnectionException e) {
            throw new StoreUnavailableException("Redis at " + redactedUrl() + " is unreachable", e);
        } catch (redis.clients.jedis.exceptions.JedisException e) {
            // A pool that cannot hand out a connection (Redis down) wraps the cause; data errors stay as they are.
            if (e.getCause() instanceof JedisConnectionException || e.getCause() instanceof java.util.NoSuchElementException) {
                throw new StoreUnavailableException("Redis at " + redactedUrl() + " is unreachable", e);
            }
            throw e;
        }
    }

    public void run(java.util.function.Consumer<UnifiedJedis> command) {
        call(j -> {
            command.accept(j);
            return null;
        });
    }

    /**
     * Follows {@code channels} on a connection of its own until {@code pubSub} unsubscribes, then
     * closes it. Never on a pooled connection: one given back after an unsubscribe can still hold
     * messages pushed meanwhile, and the next command read on it would take them for its reply.
     *
     * @throws StoreUnavailableException when Redis cannot be reached, or the connection broke
     */
    public void subscribe(redis.clients.jedis.JedisPubSub pubSub, String... channels) {
        try (redis.clients.jedis.Jedis own = new redis.clients.jedis.Jedis(address, clientConfig)) {
            own.subscribe(pubSub, channels);
        } catch (JedisConnectionException e) {
            throw new StoreUnavailableException("Redis at " + redactedUrl() + " is unreachable", e);
        }
    }

    /** The URL without a password, for logs and messages. */
    public String redactedUrl() {
        return redact(url);
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
}
