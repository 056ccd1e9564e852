package io.boxq.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.boxq.core.json.Json;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds real answers to /openapi.json: the status must be documented for the route, the media
 * type among the documented ones, a JSON body valid against the documented schema (OpenAPI 3.1
 * dialect), with no field the schema does not name, and the rate-limit headers where documented.
 */
final class OpenApiContract {
    private final JsonNode doc;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31());

    OpenApiContract(String document) {
        this.doc = parse(document);
    }

    /** What is wrong with {@code answer} to {@code method pathTemplate}; empty when it matches the document. */
    List<String> problems(String method, String pathTemplate, HttpResponse<String> answer) {
        return problems(method, pathTemplate, answer.statusCode(), answer.headers(), answer.body());
    }

    List<String> problems(String method, String pathTemplate, int status, HttpHeaders headers, String body) {
        String route = method + " " + pathTemplate + " → " + status;
        JsonNode op = doc.path("paths").path(pathTemplate).path(method.toLowerCase());
        if (op.isMissingNode()) {
            return List.of(route + ": the operation is not in the document");
        }
        JsonNode response = resolve(op.path("responses").path(Integer.toString(status)));
        if (response.isMissingNode()) {
            return List.of(route + ": the status is not documented");
        }
        List<String> problems = new ArrayList<>();
        response.path("headers").fieldNames().forEachRemaining(header -> {
            if (header.startsWith("X-RateLimit-") && headers.firstValue(header).isEmpty()) {
                problems.add(route + ": no " + header + " header");
            }
        });
        String type = headers.firstValue("Content-Type").orElse("");
        if (body.isEmpty() && !response.has("content")) {
            return problems;
        }
        JsonNode schema = null;
        for (var media : response.path("content").properties()) {
            if (mediaType(media.getKey()).equals(mediaType(type))) {
                schema = media.getValue().path("schema");
            }
        }
        if (schema == null) {
            problems.add(route + ": answered " + type + ", documented " + response.path("content").properties().stream()
                    .map(Map.Entry::getKey).toList());
        } else if (mediaType(type).endsWith("json")) {
            problems.addAll(validate(route, schema, body));
        }
        return problems;
    }

    private List<String> validate(String route, JsonNode schema, String body) {
        // The schema with the document's components beside it, so its #/components/… references resolve.
        ObjectNode root = Json.mapper().createObjectNode();
        root.setAll((ObjectNode) schema);
        root.set("components", doc.path("components"));
        Schema compiled = schemas.getSchema(root.toString(), InputFormat.JSON);
        List<String> problems = new ArrayList<>();
        compiled.validate(body, InputFormat.JSON).forEach(e -> problems.add(route + ": " + e));
        undocumented(parse(body), schema, "$", route, problems);
        return problems;
    }

    /** Fields of {@code value} that its schema does not name (schemas list every field the server sends). */
    private void undocumented(JsonNode value, JsonNode schema, String where, String route, List<String> problems) {
        JsonNode s = resolve(schema);
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        s.path("properties").properties().forEach(p -> properties.put(p.getKey(), p.getValue()));
        for (JsonNode part : s.path("allOf")) {
            resolve(part).path("properties").properties().forEach(p -> properties.put(p.getKey(), p.getValue()));
        }
        if (value.isObject() && !properties.isEmpty()) {
            value.properties().forEach(field -> {
                JsonNode fieldSchema = properties.get(field.getKey());
                if (fieldSchema == null) {
                    problems.add(route + ": " + where + "." + field.getKey() + " is not in the document");
                } else {
                    undocumented(field.getValue(), fieldSchema, where + "." + field.getKey(), route, problems);
                }
            });
        } else if (value.isObject() && s.path("additionalProperties").isObject()) {
            value.properties().forEach(field -> undocumented(field.getValue(), s.path("additionalProperties"),
                    where + "." + field.getKey(), route, problems));
        } else if (value.isArray() && s.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                undocumented(value.get(i), s.path("items"), where + "[" + i + "]", route, problems);
            }
        }
    }

    private JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? resolve(doc.at(node.path("$ref").asText().substring(1))) : node;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase();
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
