package io.boxq.api.webhooks;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.Job;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.webhook.Delivery;
import io.boxq.core.webhook.DeliveryAttempt;
import io.boxq.core.webhook.RedisWebhookDeliveries;
import io.boxq.core.webhook.RedisWebhookSecrets;
import io.boxq.core.webhook.SigningSecrets;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/jobs/{id}/deliveries} (the webhook attempts of a job) and the caller's signing
 * secret: {@code GET /v1/webhook-secret}, {@code POST /v1/webhook-secret/rotate}.
 */
public final class WebhookRoutes {
    private final RedisJobStore jobs;
    private final RedisWebhookDeliveries deliveries;
    private final RedisWebhookSecrets secrets;
    private final Clock clock;

    public WebhookRoutes(RedisJobStore jobs, RedisWebhookDeliveries deliveries, RedisWebhookSecrets secrets,
            Clock clock) {
        this.jobs = jobs;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.get("/v1/jobs/{id}/deliveries", this::deliveries);
        app.get("/v1/webhook-secret", ctx -> ctx.json(SecretView.of(secrets.secrets(caller(ctx)), clock.instant())));
        app.post("/v1/webhook-secret/rotate", ctx -> ctx.json(SecretView.of(secrets.rotate(caller(ctx)), clock.instant())));
    }

    /** A job's delivery: {@code none} without a callback URL, {@code pending} until it is settled. */
    record DeliveriesView(String jobId, String webhookId, String url, String event, String state,
            Instant nextAttemptAt, List<DeliveryAttempt> attempts) {}

    /** The current secret; during a rotation window, also when the previous one stops signing. */
    record SecretView(String secret, Instant previousSecretExpiresAt) {
        static SecretView of(SigningSecrets s, Instant now) {
            return new SecretView(s.current(), s.inRotationWindow(now) ? s.previousExpiresAt() : null);
        }
    }

    private void deliveries(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String id = ctx.pathParam("id");
        if (!RandomIds.looksLikeId(id, "job_")) {
            throw ProblemException.notFound("job");
        }
        Job job = jobs.get(id, caller.id());
        Optional<Delivery> record = deliveries.find(id);
        if (record.isPresent()) {
            Delivery d = record.get();
            ctx.json(new DeliveriesView(id, d.webhookId(), d.url(), d.event(), d.status().wireName(),
                    d.nextAttemptAt(), d.log()));
        } else if (job.spec().callbackUrl() == null) {
            ctx.json(new DeliveriesView(id, null, null, null, "none", null, List.of()));
        } else {
            ctx.json(new DeliveriesView(id, Delivery.webhookIdOf(id), job.spec().callbackUrl(),
                    job.state().isTerminal() ? "job." + job.state().wireName() : null, "pending",
                    deliveries.dueAt(id).orElse(null), List.of()));
        }
    }

    private static String caller(Context ctx) {
        return Authenticator.caller(ctx).id();
    }
}
