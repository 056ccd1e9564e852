package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sandbox images: every configured image must exist at start, jobs and sandboxes may only name
 * {@code ALLOWED_IMAGES}, and dangling {@code boxq.image=true} images are removed.
 */
class ImagesIT {

    @Test
    void a_job_or_sandbox_naming_an_image_outside_allowed_images_gets_400_naming_the_image() {
        BoxqTestServer server = BoxqTestServer.start("images-allowed",
                Map.of("ALLOWED_IMAGES", TestEnvironment.BUSYBOX));
        try {
            String key = server.client.createKey(server.adminKey(), TestEnvironment.unique("user"), "free")
                    .path("key").asText();

            Reply job = server.client.post("/v1/jobs", key, Map.of("command", "true", "image", TestEnvironment.BOOKWORM));
            Reply sandbox = server.client.post("/v1/sandboxes", key, Map.of("image", "alpine:latest"));

            for (Reply refused : new Reply[] {job, sandbox}) {
                assertThat(refused.status()).as(refused.body()).isEqualTo(400);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                JsonNode error = refused.json().path("errors").get(0);
                assertThat(error.path("field").asText()).isEqualTo("image");
                assertThat(error.path("message").asText()).contains("allowed images", TestEnvironment.BUSYBOX);
            }
            assertThat(server.client.run(key, Map.of("command", "true", "image", TestEnvironment.BUSYBOX))
                    .path("state").asText()).as("an allowed image runs").isEqualTo("succeeded");
        } finally {
            server.stop();
        }
    }

    @Test
    void a_missing_sandbox_image_stops_start_up_with_a_message_naming_the_build_script() {
        String missing = "boxq-sandbox:" + TestEnvironment.unique("missing");

        Throwable asDefault = catchThrowable(() -> BoxqTestServer.start("images-missing",
                Map.of("SANDBOX_IMAGE", missing)));
        Throwable asAllowed = catchThrowable(() -> BoxqTestServer.start("images-missing",
                Map.of("ALLOWED_IMAGES", TestEnvironment.BUSYBOX + "," + missing)));

        for (Throwable refused : new Throwable[] {asDefault, asAllowed}) {
            assertThat(refused).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(missing)
                    .hasMessageContaining("scripts/build-sandbox-image.sh");
        }
    }

    @Test
    void dangling_boxq_images_are_removed_and_other_dangling_images_are_kept() throws IOException {
        BoxqTestServer server = BoxqTestServer.start("images-dangling", Map.of());
        try (DockerClient docker = TestEnvironment.docker()) {
            String boxq = danglingImage(docker, "true");
            String foreign = danglingImage(docker, "false");
            try {
                int removed = server.node().removeDanglingImages();

                assertThat(removed).isGreaterThanOrEqualTo(1);
                assertThat(exists(docker, boxq)).as("a dangling boxq image").isFalse();
                assertThat(exists(docker, foreign)).as("not labelled boxq.image=true").isTrue();
                assertThat(exists(docker, TestEnvironment.BUSYBOX)).as("tagged images stay").isTrue();
            } finally {
                removeImage(docker, boxq);
                removeImage(docker, foreign);
            }
        } finally {
            server.stop();
        }
    }

    /** An untagged image committed from a busybox container, with label boxq.image={@code label}. */
    private static String danglingImage(DockerClient docker, String label) {
        String container = docker.createContainerCmd(TestEnvironment.BUSYBOX).withCmd("true")
                .withLabels(Map.of("boxq.test", "images")).exec().getId();
        try {
            return docker.commitCmd(container).withLabels(Map.of("boxq.image", label,
                    "boxq.test", TestEnvironment.unique("dangling"))).exec();
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
    }

    private static boolean exists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void removeImage(DockerClient docker, String image) {
        try {
            docker.removeImageCmd(image).withForce(true).exec();
        } catch (NotFoundException e) {
            // removed by the test
        }
    }
}
