package io.boxq.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.boxq.api.openapi.OpenApiRoute;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.request.RequestBody;
import io.boxq.core.json.Json;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobBatchRouteTest {
    @Test
    void an_items_field_errors_are_named_under_the_item() {
        Problem item = ProblemException.badRequest(List.of(new Problem.FieldError("command", "is required"),
                new Problem.FieldError("env.PATH", "must be a string"))).problem();

        Problem named = JobBatchRoute.naming("jobs[3]", item);

        assertThat(named.status()).isEqualTo(400);
        assertThat(named.errors()).extracting(Problem.FieldError::field).containsExactly("jobs[3].command",
                "jobs[3].env.PATH");
        assertThat(named.detail()).contains("jobs[3].command", "jobs[3].env.PATH");
    }

    @Test
    void an_item_that_is_not_an_object_is_named_itself() {
        Problem item = ProblemException.badRequest("body", "must be a JSON object").problem();

        Problem named = JobBatchRoute.naming("jobs[0]", item);

        assertThat(named.errors()).containsExactly(new Problem.FieldError("jobs[0]", "must be a JSON object"));
        assertThat(named.detail()).isEqualTo("jobs[0]: must be a JSON object");
    }

    @Test
    void problems_without_fields_stay_as_they_are() {
        Problem notFound = ProblemException.notFound("sandbox sbx_x").problem();

        assertThat(JobBatchRoute.naming("jobs[1]", notFound)).isEqualTo(notFound);
    }

    @Test
    void jobs_must_be_an_array_of_one_to_a_hundred_items() {
        assertThat(jobsError("{}")).isEqualTo("is required");
        assertThat(jobsError("{\"jobs\": {}}")).isEqualTo("must be an array");
        assertThat(jobsError("{\"jobs\": []}")).startsWith("must have 1 to 100 items");
        assertThat(jobsError("{\"jobs\": [" + "{},".repeat(100) + "{}]}")).isEqualTo("must have 1 to 100 items (it has 101)");

        RequestBody b = RequestBody.parse("{\"jobs\": [{}, 1]}", Set.of("jobs"));
        ArrayNode jobs = b.array("jobs", 1, JobBatchRoute.MAX_JOBS);
        b.validate();
        assertThat(jobs).hasSize(2);
    }

    @Test
    void the_openapi_document_gives_the_same_bounds() throws Exception {
        JsonNode jobs = Json.mapper().readTree(OpenApiRoute.document()).at("/components/schemas/BatchRequest/properties/jobs");

        assertThat(jobs.path("minItems").asInt()).isEqualTo(1);
        assertThat(jobs.path("maxItems").asInt()).isEqualTo(JobBatchRoute.MAX_JOBS);
    }

    private static String jobsError(String body) {
        RequestBody b = RequestBody.parse(body, Set.of("jobs"));
        b.array("jobs", 1, JobBatchRoute.MAX_JOBS);
        try {
            b.validate();
            return null;
        } catch (ProblemException e) {
            assertThat(e.problem().errors()).singleElement().extracting(Problem.FieldError::field).isEqualTo("jobs");
            return e.problem().errors().get(0).message();
        }
    }
}
