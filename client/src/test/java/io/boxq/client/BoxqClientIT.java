package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.boxq.client.errors.InvalidRequestException;
import io.boxq.client.errors.SandboxEndedException;
import io.boxq.client.errors.NotFoundException;
import io.boxq.client.jobs.BatchItem;
import io.boxq.client.jobs.Job;
import io.boxq.client.jobs.JobEvent;
import io.boxq.client.jobs.JobEventStream;
import io.boxq.client.jobs.JobRequest;
import io.boxq.client.keys.ApiKey;
import io.boxq.client.keys.KeyRequest;
import io.boxq.client.sandboxes.Sandbox;
import io.boxq.client.sandboxes.SandboxInfo;
import io.boxq.client.sandboxes.SandboxRequest;
import io.boxq.client.sandboxes.Snapshot;
import io.boxq.client.webhooks.WebhookVerificationException;
import io.boxq.client.webhooks.WebhookVerifier;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Java client against a live boxq: what an agent builder does with it, end to end. */
@ExtendWith(LiveServer.class)
class BoxqClientIT {
    private static final String COUNT = "for i in 1 2 3; do echo $i; sleep 1; done";

    @Test
    void run_returns_the_commands_output() {
        Job job = LiveServer.newUser().jobs().run("echo hi");
        assertThat(job.state()).isEqualTo("succeeded");
        assertThat(job.stdout()).isEqualTo("hi\n");
        assertThat(job.exitCode()).isZero();
    }

    @Test
    void a_sandbox_round_trips_binary_files_byte_for_byte_and_is_deleted_when_closed() {
        BoxqClient boxq = LiveServer.newUser();
        byte[] content = new byte[70_000];
        new Random(7).nextBytes(content);
        for (int i = 0; i < 256; i++) {
            content[i] = (byte) i;
        }
        String id;
        try (Sandbox sandbox = boxq.sandboxes().create()) {
            id = sandbox.id();
            sandbox.upload("data/blob.bin", content);
            assertThat(sandbox.run("cp data/blob.bin copy.bin && wc -c < copy.bin").stdout().trim()).isEqualTo("70000");
            assertThat(sandbox.download("copy.bin")).isEqualTo(content);
            assertThat(sandbox.stats().path("now").isObject() || sandbox.stats().has("history")).isTrue();
            assertThat(sandbox.keepalive(Duration.ofMinutes(10)).expiresAt()).isNotNull();
            assertThat(boxq.sandboxes().list(null)).extracting(s -> s.id()).contains(id);
        }
        assertThat(boxq.sandboxes().get(id).state()).isEqualTo("deleted");
        assertThatThrownBy(() -> boxq.sandboxes().attach(id).download("copy.bin"))
                .isInstanceOf(SandboxEndedException.class);
    }

    @Test
    void a_command_sent_to_a_paused_sandbox_resumes_it_and_says_so() {
        BoxqClient boxq = LiveServer.newUser();
        try (Sandbox sandbox = boxq.sandboxes().create()) {
            SandboxInfo paused = sandbox.pause();
            assertThat(paused.state()).isEqualTo("paused");
            assertThat(paused.pausedAt()).isNotNull();
            assertThat(boxq.sandboxes().get(sandbox.id()).state()).isEqualTo("paused");

            Job job = sandbox.run("echo awake");
            assertThat(job.resumed()).as("the ended job, as the server reads it").isTrue();
            assertThat(job.stdout()).isEqualTo("awake\n");
            assertThat(sandbox.refresh().state()).isEqualTo("ready");
            assertThat(sandbox.info().pausedAt()).isNull();

            assertThat(sandbox.pause().state()).isEqualTo("paused");
            SandboxInfo resumed = sandbox.resume();
            assertThat(resumed.state()).isEqualTo("ready");
            assertThat(resumed.pausedAt()).isNull();
            assertThat(sandbox.run("echo again").resumed()).as("a ready sandbox is not resumed").isNull();
        }
    }

    @Test
    void a_sandbox_made_from_a_snapshot_has_its_files_and_the_snapshot_is_listed_until_deleted() {
        BoxqClient boxq = LiveServer.newUser();
        String sourceId;
        Snapshot snapshot;
        try (Sandbox source = boxq.sandboxes().create()) {
            sourceId = source.id();
            source.upload("notes/a.txt", "kept\n".getBytes(StandardCharsets.UTF_8));
            snapshot = source.snapshot();
        }
        try {
            assertThat(snapshot.id()).startsWith("snap_");
            assertThat(snapshot.sandboxId()).isEqualTo(sourceId);
            assertThat(snapshot.state()).isEqualTo("ready");
            assertThat(snapshot.sizeBytes()).isPositive();
            assertThat(snapshot.expiresAt()).isAfter(snapshot.createdAt());
            assertThat(boxq.snapshots().list()).extracting(Snapshot::id).containsExactly(snapshot.id());
            assertThat(boxq.snapshots().get(snapshot.id()).available()).as("its source is gone, not its node").isTrue();

            try (Sandbox restored = boxq.sandboxes().create(SandboxRequest.DEFAULTS.withSnapshot(snapshot.id()))) {
                assertThat(restored.id()).isNotEqualTo(sourceId);
                assertThat(restored.run("cat notes/a.txt").stdout()).isEqualTo("kept\n");
            }
        } finally {
            boxq.snapshots().delete(snapshot.id());
        }
        assertThat(boxq.snapshots().list()).isEmpty();
        assertThatThrownBy(() -> boxq.snapshots().get(snapshot.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> boxq.sandboxes().create(SandboxRequest.DEFAULTS.withSnapshot(snapshot.id())))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void two_forks_start_with_the_sources_files_and_then_go_their_own_ways() {
        BoxqClient boxq = LiveServer.newUser();
        List<Sandbox> forks = new ArrayList<>();
        try (Sandbox source = boxq.sandboxes().create(SandboxRequest.DEFAULTS.withEnv(Map.of("WHO", "source")))) {
            source.upload("a.txt", "base\n".getBytes(StandardCharsets.UTF_8));
            try {
                forks.addAll(source.fork(2));
                assertThat(forks).hasSize(2).extracting(Sandbox::id).doesNotHaveDuplicates().doesNotContain(source.id());
                for (Sandbox fork : forks) {
                    assertThat(fork.info().state()).isEqualTo("ready");
                    assertThat(fork.info().env()).containsEntry("WHO", "source");
                    assertThat(fork.run("cat a.txt").stdout()).isEqualTo("base\n");
                }
                forks.get(0).run("echo one >> a.txt");
                forks.get(1).run("echo two >> a.txt");
                source.run("echo source >> a.txt");
                assertThat(source.run("cat a.txt").stdout()).isEqualTo("base\nsource\n");
                assertThat(forks.get(0).run("cat a.txt").stdout()).isEqualTo("base\none\n");
                assertThat(forks.get(1).run("cat a.txt").stdout()).isEqualTo("base\ntwo\n");
            } finally {
                forks.forEach(Sandbox::close);
            }
        }
        for (Sandbox fork : forks) {
            assertThat(boxq.sandboxes().get(fork.id()).state()).as("closed, so deleted").isEqualTo("deleted");
        }
    }

    @Test
    void a_runtime_the_key_may_not_use_is_an_invalid_request_naming_runtime() {
        BoxqClient boxq = LiveServer.newUser();
        assertThatThrownBy(() -> boxq.sandboxes().create(SandboxRequest.DEFAULTS.withRuntime("no-such-runtime")))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.errors()).extracting(f -> f.field()).containsExactly("runtime"));
        assertThatThrownBy(() -> boxq.jobs().submit(JobRequest.of("true").withRuntime("no-such-runtime")))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.errors()).extracting(f -> f.field()).containsExactly("runtime"));
        assertThat(boxq.sandboxes().list("all")).as("nothing made").isEmpty();

        // runc is in every test server's ALLOWED_RUNTIMES (another may be the default: BOXQ_TEST_RUNTIME)
        try (Sandbox sandbox = boxq.sandboxes().create(SandboxRequest.DEFAULTS.withRuntime("runc"))) {
            assertThat(sandbox.info().runtime()).isEqualTo("runc");
            assertThat(sandbox.run("true").runtime()).isEqualTo("runc");
        }
        assertThat(boxq.jobs().run(JobRequest.of("true").withRuntime("runc"), Duration.ofMinutes(2)).runtime())
                .isEqualTo("runc");
    }

    @Test
    void live_output_arrives_as_three_chunks_before_the_result() {
        BoxqClient boxq = LiveServer.newUser();
        List<String> chunks = new ArrayList<>();
        Job result = null;
        try (JobEventStream events = boxq.jobs().events(boxq.jobs().submit(COUNT).id())) {
            for (JobEvent e : events) {
                if (e instanceof JobEvent.Output out) {
                    assertThat(result).as("output after the result").isNull();
                    chunks.add(new String(out.data(), StandardCharsets.UTF_8));
                } else if (e instanceof JobEvent.Result r) {
                    result = r.job();
                }
            }
        }
        assertThat(chunks).containsExactly("1\n", "2\n", "3\n");
        assertThat(result.stdout()).isEqualTo("1\n2\n3\n");
    }

    @Test
    void a_dropped_event_stream_resumes_without_missing_or_duplicate_bytes() throws Exception {
        String key = LiveServer.newKey(KeyRequest.of(LiveServer.user(), "pro"));
        BoxqClient direct = BoxqClient.create(LiveServer.url(), key);
        try (CuttingProxy proxy = new CuttingProxy(URI.create(LiveServer.url()), "event: stdout")) {
            BoxqClient viaProxy = BoxqClient.create(proxy.url(), key);
            Job job = direct.jobs().submit(COUNT);
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            Job result = null;
            try (JobEventStream events = viaProxy.jobs().events(job.id())) {
                for (JobEvent e : events) {
                    if (e instanceof JobEvent.Output out) {
                        assertThat(out.offset()).as("offset of the next chunk").isEqualTo(seen.size());
                        seen.write(out.data());
                    } else if (e instanceof JobEvent.Result r) {
                        result = r.job();
                    }
                }
            }
            assertThat(proxy.cuts.get()).as("connections cut").isEqualTo(1);
            assertThat(proxy.connections.get()).as("connections made").isGreaterThanOrEqualTo(2);
            assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo("1\n2\n3\n");
            assertThat(result.stdout()).isEqualTo("1\n2\n3\n");
        }
    }

    @Test
    void a_bad_field_is_an_invalid_request_naming_it() {
        BoxqClient boxq = LiveServer.newUser();
        assertThatThrownBy(() -> boxq.jobs().submit(JobRequest.of("ls").withTimeoutSeconds(0)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errors()).extracting(f -> f.field()).containsExactly("timeout_s");
                    assertThat(e.type()).endsWith("/invalid-request");
                });
        assertThatThrownBy(() -> boxq.jobs().get("job_doesnotexist")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void a_submit_under_one_idempotency_key_queues_one_job() {
        BoxqClient boxq = LiveServer.newUser();
        JobRequest request = JobRequest.of("echo once");
        Job first = boxq.jobs().submit(request, "retry-7");
        Job again = boxq.jobs().submit(request, "retry-7");
        assertThat(again.id()).isEqualTo(first.id());
    }

    @Test
    void cancel_list_following_the_cursor_and_batch() {
        BoxqClient boxq = LiveServer.newUser();
        List<BatchItem> batch = boxq.jobs().batch(List.of(JobRequest.of("echo a"), JobRequest.of(""),
                JobRequest.of("echo c")));
        assertThat(batch).extracting(BatchItem::ok).containsExactly(true, false, true);
        assertThat(batch.get(1).problem()).isInstanceOf(InvalidRequestException.class);
        assertThat(batch.get(1).problem().errors()).extracting(f -> f.field()).containsExactly("jobs[1].command");

        Job slow = boxq.jobs().submit("sleep 30");
        assertThat(boxq.jobs().cancel(slow.id()).id()).isEqualTo(slow.id());
        assertThat(boxq.jobs().await(slow.id(), Duration.ofSeconds(30)).state()).isEqualTo("cancelled");

        Set<String> ids = boxq.jobs().list(null, 2).map(Job::id).collect(Collectors.toSet());
        assertThat(ids).containsExactlyInAnyOrder(batch.get(0).job().id(), batch.get(2).job().id(), slow.id());
    }

    @Test
    void keys_admin_and_quota_usage() {
        BoxqClient admin = LiveServer.admin();
        ApiKey created = admin.keys().create(KeyRequest.of(LiveServer.user(), "free").withName("ci"));
        assertThat(created.key()).isNotBlank();
        assertThat(admin.keys().list()).extracting(ApiKey::id).contains(created.id());
        assertThat(admin.keys().update(created.id(), Map.of("tier", "pro")).tier()).isEqualTo("pro");
        BoxqClient user = BoxqClient.create(LiveServer.url(), created.key());
        assertThat(user.keys().quotaUsage().path("tier").asText()).isEqualTo("pro");
        assertThat(admin.admin().systemStats().has("jobs_by_state")).isTrue();
        assertThatThrownBy(() -> user.admin().systemStats()).isInstanceOf(io.boxq.client.errors.ForbiddenException.class);
        admin.keys().revoke(created.id());
        assertThatThrownBy(user.keys()::quotaUsage).isInstanceOf(io.boxq.client.errors.UnauthorizedException.class);
    }

    @Test
    void a_webhook_signed_by_the_server_verifies_and_a_tampered_one_does_not() throws Exception {
        BoxqClient boxq = LiveServer.newUser();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Job job = boxq.jobs().submit(JobRequest.of("echo hook").withCallbackUrl(receiver.url()));
            await("the delivery").atMost(Duration.ofSeconds(60)).until(() -> !receiver.deliveries.isEmpty());
            WebhookReceiver.Delivery d = receiver.deliveries.get(0);
            WebhookVerifier verifier = new WebhookVerifier(boxq.keys().webhookSecret().path("secret").asText());
            verifier.verify(d.headers(), d.body());
            assertThat(new String(d.body(), StandardCharsets.UTF_8)).contains(job.id());
            byte[] tampered = new String(d.body(), StandardCharsets.UTF_8).replace("hook", "hack")
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> verifier.verify(d.headers(), tampered))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }
}
