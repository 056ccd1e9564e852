package io.boxq.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.api.openapi.OpenApiRoute;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.JobSpec;
import io.boxq.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobRequestParserTest {
    private final JobRequestParser parser = new JobRequestParser(BoxqConfig.fromEnv(Map.of(
            "SANDBOX_IMAGE", "boxq-sandbox:busybox", "COMMAND_TIMEOUT_SECONDS", "30",
            "MAX_COMMAND_TIMEOUT_SECONDS", "600")));

    @Test
    void a_full_request_becomes_a_spec() {
        JobSpec spec = parser.parse("""
                {"command": "echo $GREETING", "image": "boxq-sandbox:bookworm", "env": {"GREETING": "hi"},
                 "workdir": "/workspace/sub", "stdin": "héllo", "timeout_s": 5,
                 "callback_url": "https://example.com/hook", "metadata": {"run.id": "r-1"}, "max_attempts": 2}
                """);

        assertThat(spec.command()).isEqualTo("echo $GREETING");
        assertThat(spec.image()).isEqualTo("boxq-sandbox:bookworm");
        assertThat(spec.env()).containsExactly(Map.entry("GREETING", "hi"));
        assertThat(spec.workdir()).isEqualTo("/workspace/sub");
        assertThat(spec.stdin()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(spec.timeoutSeconds()).isEqualTo(5);
        assertThat(spec.callbackUrl()).isEqualTo("https://example.com/hook");
        assertThat(spec.metadata()).containsExactly(Map.entry("run.id", "r-1"));
        assertThat(spec.maxAttempts()).isEqualTo(2);
    }

    @Test
    void a_bare_command_gets_the_defaults() {
        JobSpec spec = parser.parse("{\"command\": \"true\"}");

        assertThat(spec.timeoutSeconds()).isEqualTo(30);
        assertThat(spec.maxAttempts()).isEqualTo(1);
        assertThat(spec.image()).isNull();
        assertThat(spec.env()).isEmpty();
        assertThat(spec.stdin()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                          | command
            {"command": null}                           | command
            {"command": ""}                             | command
            {"command": 5}                              | command
            {"command": ["ls"]}                         | command
            {"command": "a\\u0000b"}                    | command
            {"command": "ls", "bogus": 1}               | bogus
            {"command": "ls", "timeout_s": 0}           | timeout_s
            {"command": "ls", "timeout_s": 601}         | timeout_s
            {"command": "ls", "timeout_s": "5"}         | timeout_s
            {"command": "ls", "timeout_s": 1.5}         | timeout_s
            {"command": "ls", "timeout_s": 99999999999} | timeout_s
            {"command": "ls", "image": "ubuntu:latest"} | image
            {"command": "ls", "env": "A=1"}             | env
            {"command": "ls", "env": {"1BAD": "x"}}     | env.1BAD
            {"command": "ls", "env": {"A-B": "x"}}      | env.A-B
            {"command": "ls", "env": {"A": 1}}          | env.A
            {"command": "ls", "env": {"A": "x\\u0000"}} | env.A
            {"command": "ls", "workdir": "relative"}    | workdir
            {"command": "ls", "callback_url": "ftp://x"} | callback_url
            {"command": "ls", "max_attempts": 6}        | max_attempts
            {"command": "ls", "metadata": {"a b": "x"}} | metadata.a b
            """)
    void a_bad_field_is_a_400_naming_it(String body, String field) {
        Problem problem = rejected(body);

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly(field);
    }

    @Test
    void every_bad_field_is_named_at_once() {
        Problem problem = rejected("{\"command\": 5, \"timeout_s\": -1, \"nope\": true, \"env\": {\"9\": \"x\"}}");

        assertThat(problem.errors()).extracting(Problem.FieldError::field)
                .containsExactlyInAnyOrder("command", "timeout_s", "nope", "env.9");
        assertThat(problem.detail()).contains("4 fields are invalid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "[]", "\"ls\"", "42", "{\"command\": ", "{'command': 'ls'}", "{} {}"})
    void a_body_that_is_not_one_json_object_is_a_400_on_body(String body) {
        Problem problem = rejected(body);

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("body");
    }

    @Test
    void deep_nesting_is_a_400_not_a_crash() {
        String deep = "[".repeat(5000) + "]".repeat(5000);

        Problem problem = rejected("{\"command\": \"ls\", \"metadata\": " + deep + "}");

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("body");
    }

    @Test
    void a_long_unknown_field_name_is_clipped_in_the_answer() {
        String name = "x".repeat(500);

        Problem problem = rejected("{\"command\": \"ls\", \"" + name + "\": 1}");

        assertThat(problem.errors()).singleElement().satisfies(e -> assertThat(e.field()).hasSizeLessThan(70));
    }

    private Problem rejected(String body) {
        ProblemException e = catchThrowableOfType(ProblemException.class, () -> parser.parse(body));
        assertThat(e).as("parsing %s should be refused", body).isNotNull();
        return e.problem();
    }

    @Test
    void problems_carry_type_title_and_detail() {
        Problem problem = rejected("{}");

        assertThat(problem.type()).isEqualTo("https://boxq.dev/problems/invalid-request");
        assertThat(problem.title()).isEqualTo("Invalid request");
        assertThat(problem.detail()).isEqualTo("command: is required");
        assertThat(problem.errors()).isEqualTo(List.of(new Problem.FieldError("command", "is required")));
    }

    @Test
    void the_openapi_document_describes_exactly_the_fields_the_parser_takes() throws Exception {
        JsonNode doc = Json.mapper().readTree(OpenApiRoute.document());
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/JobRequest/properties").fieldNames().forEachRemaining(documented::add);

        assertThat(documented).isEqualTo(new TreeSet<>(JobRequestParser.FIELDS));
        assertThat(doc.at("/components/schemas/JobRequest/properties/command/maxLength").asInt())
                .isEqualTo(JobRequestParser.MAX_COMMAND);
        assertThat(doc.at("/components/schemas/JobRequest/properties/max_attempts/maximum").asInt())
                .isEqualTo(JobRequestParser.MAX_ATTEMPTS);
    }
}
