package io.boxq.executor.webhook;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.WebhookConfig;
import io.boxq.core.job.Job;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.webhook.AddressPolicy;
import io.boxq.core.webhook.CallbackUrlCheck;
import io.boxq.core.webhook.Delivery;
import io.boxq.core.webhook.DeliveryAttempt;
import io.boxq.core.webhook.DeliveryStatus;
import io.boxq.core.webhook.RedisWebhookDeliveries;
import io.boxq.core.webhook.RedisWebhookSecrets;
import io.boxq.core.webhook.RetrySchedule;
import io.boxq.core.webhook.WebhookSigner;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Sends due webhook deliveries (docs/architecture.md, "Webhooks"). {@link #dispatchDue} only claims what is due (for a
 * lease, so no other node sends it meanwhile) and hands each delivery to a virtual thread; the
 * attempt's outcome is recorded under that lease: delivered, stopped (410), retried later, or failed
 * after the last attempt of the schedule. A node that dies holding a lease loses nothing: the
 * delivery is due again when the lease ends.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** Deliveries one node sends at once; it claims no more than it can start. */
    static final int MAX_IN_FLIGHT = 64;

    private final RedisJobStore jobs;
    private final RedisWebhookDeliveries deliveries;
    private final RedisWebhookSecrets secrets;
    private final RedisApiKeyStore apiKeys;
    private final AuditLog audit;
    private final WebhookSender sender;
    private final RetrySchedule schedule;
    private final int maxOutputBytes;
    private final Duration lease;
    private final Clock clock;
    private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private final ReentrantLock claiming = new ReentrantLock();
    private volatile boolean closed;
    /** Told of each attempt's outcome (metrics). */
    private volatile java.util.function.Consumer<DeliveryStatus> attempts = status -> {};

    /** Hooks {@code listener} to every attempt's outcome (the node's metrics); call before it starts sending. */
    public WebhookDispatcher onAttempt(java.util.function.Consumer<DeliveryStatus> listener) {
        this.attempts = listener;
        return this;
    }

    public WebhookDispatcher(RedisJobStore jobs, RedisWebhookDeliveries deliveries, RedisWebhookSecrets secrets,
            RedisApiKeyStore apiKeys, AuditLog audit, WebhookSender sender, WebhookConfig config, Clock clock) {
        this.jobs = jobs;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.apiKeys = apiKeys;
        this.audit = audit;
        this.sender = sender;
        this.schedule = new RetrySchedule(config.retrySchedule());
        this.maxOutputBytes = config.maxOutputBytes();
        this.lease = leaseFor(config.timeout());
        this.clock = clock;
    }

    /** The dispatcher of a node, with its own sender (HTTP client) built from {@code config}. */
    public static WebhookDispatcher create(BoxqConfig config, Redis redis, RedisJobStore jobs, Clock clock) {
        WebhookConfig w = config.webhooks();
        return new WebhookDispatcher(jobs, new RedisWebhookDeliveries(redis, config.jobs().resultTtl()),
                new RedisWebhookSecrets(redis, clock, w.secretRotationWindow()), new RedisApiKeyStore(redis, clock),
                new AuditLog(redis, clock), new WebhookSender(AddressPolicy.of(w), w.timeout()), w, clock);
    }

    /** Long enough for one attempt (its deadline) plus the Redis calls around it, with room to spare. */
    static Duration leaseFor(Duration timeout) {
        return timeout.multipliedBy(3).plusSeconds(30);
    }

    /**
     * Claims the deliveries due now, as many as this node can start, and starts them.
     *
     * @return how many were claimed
     */
    public int dispatchDue() {
        claiming.lock(); // the tick and a kick at once would each claim for the same free permits
        try {
            int free = permits.availablePermits();
            if (closed || free == 0) {
                return 0;
            }
            Instant now = clock.instant();
            Instant leaseEnd = now.plus(lease);
            List<String> claimed = deliveries.claim(now, leaseEnd, free);
            start(claimed, leaseEnd);
            return claimed.size();
        } finally {
            claiming.unlock();
        }
    }

    private void start(List<String> claimed, Instant leaseEnd) {
        for (String jobId : claimed) {
            permits.acquireUninterruptibly();
            try {
                senders.execute(() -> {
                    try {
                        deliver(jobId, leaseEnd);
                    } catch (RuntimeException e) {
                        log.warn("webhook of job {} not sent, due again after the lease: {}", jobId, e.toString());
                    } finally {
                        permits.release();
                    }
                });
            } catch (RuntimeException e) {
                permits.release(); // closing: the lease runs out and another node sends it
            }
        }
    }

    /**
     * Looks for due deliveries now, off the caller's thread: a job that just ended is called back at
     * once instead of at the next tick. Kicks while one is waiting to run are merged into it.
     */
    public void kick() {
        if (closed || !kickPending.compareAndSet(false, true)) {
            return;
        }
        try {
            senders.execute(() -> {
                kickPending.set(false);
                try {
                    dispatchDue();
                } catch (RuntimeException e) {
                    log.debug("webhook kick: {}", e.toString());
                }
            });
        } catch (RuntimeException e) {
            kickPending.set(false);
        }
    }

    /**
     * A job this node ran has ended: when it calls back (its own URL or its key's default, both in
     * its spec since submit), look for due deliveries now. Jobs without a webhook cost nothing here.
     */
    public void jobEnded(Job job) {
        if (job.spec().callbackUrl() != null) {
            kick();
        }
    }

    private void deliver(String jobId, Instant leaseEnd) {
        Optional<Job> found = jobs.find(jobId);
        if (found.isEmpty() || !found.get().state().isTerminal()) {
            deliveries.record(jobId, leaseEnd, null, DeliveryStatus.STOPPED, null, Map.of(), clock.instant());
            return;
        }
        Job job = found.get();
        Optional<Delivery> record = deliveries.find(jobId);
        String url = record.map(Delivery::url).orElse(job.spec().callbackUrl());
        if (url == null) {
            deliveries.record(jobId, leaseEnd, null, DeliveryStatus.STOPPED, null, Map.of(), clock.instant());
            return;
        }
        MDC.put("job", jobId);
        try {
            attempt(job, url, record.map(Delivery::attempts).orElse(0) + 1, leaseEnd);
        } finally {
            MDC.remove("job");
        }
    }

    private void attempt(Job job, String url, int number, Instant leaseEnd) {
        String webhookId = Delivery.webhookIdOf(job.id());
        String event = WebhookPayload.eventOf(job);
        byte[] body = WebhookPayload.build(job, maxOutputBytes);
        Instant sentAt = clock.instant();
        long timestamp = sentAt.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", webhookId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", WebhookSigner.signatureHeader(
                secrets.secrets(job.keyId()).signing(sentAt), webhookId, timestamp, body));
        WebhookSender.Outcome outcome = send(url, headers, body);
        DeliveryStatus status;
        Instant next = null;
        Optional<Duration> retryIn = schedule.delayAfter(number, ThreadLocalRandom.current());
        if (outcome.delivered()) {
            status = DeliveryStatus.DELIVERED;
        } else if (outcome.gone()) {
            status = DeliveryStatus.STOPPED;
            forgetKeyDefault(job.keyId(), url);
        } else if (retryIn.isPresent()) {
            status = DeliveryStatus.PENDING;
            next = clock.instant().plus(retryIn.get());
        } else {
            status = DeliveryStatus.FAILED;
        }
        DeliveryAttempt attempt = new DeliveryAttempt(number, sentAt, outcome.statusCode(), outcome.latencyMs(),
                outcome.error(), outcome.response());
        boolean owned = deliveries.record(job.id(), leaseEnd, attempt, status, next,
                Map.of("webhook_id", webhookId, "url", url, "event", event), clock.instant());
        log.info("webhook {} of job {} attempt {}: {} ({}){}", webhookId, job.id(), number,
                outcome.statusCode() == null ? outcome.error() : "HTTP " + outcome.statusCode(), status.wireName(),
                owned ? "" : ", lease lost");
        attempts.accept(status);
    }

    /**
     * A 410 from the key's default URL removes it from the key, so later jobs stop calling it;
     * a job's own {@code callback_url} only ends that job's delivery.
     */
    private void forgetKeyDefault(String keyId, String url) {
        if (apiKeys.dropWebhookUrl(keyId, url)) {
            log.warn("webhook URL of key {} answered 410: removed as the key's default", keyId);
            audit.record("system", "key.webhook_url_removed", keyId, Map.of("webhook_url", url, "reason", "HTTP 410"));
        }
    }

    private WebhookSender.Outcome send(String url, Map<String, String> headers, byte[] body) {
        URI uri;
        try {
            uri = CallbackUrlCheck.parse(url);
        } catch (IllegalArgumentException e) {
            return new WebhookSender.Outcome(null, 0, "the URL " + e.getMessage(), null);
        }
        return sender.send(uri, headers, body);
    }

    @Override
    public void close() {
        closed = true;
        senders.shutdown();
        try {
            if (!senders.awaitTermination(5, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.close();
    }
}
