package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema of a tool's arguments — an object of strings, whole numbers, string enums and
 * maps of strings, no other properties — and the check of arguments against it. The check catches
 * what the schema says (missing, unknown, wrong type, out of range); the services behind the tools
 * check the rest (allowed images, paths inside the workspace, …) as they do for the REST routes.
 */
final class ToolSchema {
    private final ObjectNode schema = JsonNodeFactory.instance.objectNode();
    private final ObjectNode properties;
    private final ArrayNode required;

    private ToolSchema() {
        schema.put("type", "object");
        properties = schema.putObject("properties");
        required = schema.putArray("required");
        schema.put("additionalProperties", false);
    }

    static ToolSchema object() {
        return new ToolSchema();
    }

    ToolSchema string(String name, String description, boolean isRequired) {
        property(name, "string", description, isRequired);
        return this;
    }

    ToolSchema oneOf(String name, String description, List<String> values) {
        ObjectNode p = property(name, "string", description, false);
        values.forEach(p.putArray("enum")::add);
        return this;
    }

    ToolSchema integer(String name, String description, int min, int max) {
        ObjectNode p = property(name, "integer", description, false);
        p.put("minimum", min);
        p.put("maximum", max);
        return this;
    }

    ToolSchema stringMap(String name, String description) {
        ObjectNode p = property(name, "object", description, false);
        p.putObject("additionalProperties").put("type", "string");
        return this;
    }

    ObjectNode build() {
        return schema.deepCopy();
    }

    private ObjectNode property(String name, String type, String description, boolean isRequired) {
        ObjectNode p = properties.putObject(name);
        p.put("type", type);
        p.put("description", description);
        if (isRequired) {
            required.add(name);
        }
        return p;
    }

    /** What is wrong with {@code arguments} under {@code schema} (one of {@link #build()}); empty when nothing. */
    static List<String> problems(ObjectNode schema, ObjectNode arguments) {
        List<String> problems = new ArrayList<>();
        JsonNode properties = schema.path("properties");
        schema.path("required").forEach(r -> {
            if (!arguments.hasNonNull(r.textValue())) {
                problems.add(r.textValue() + " is required");
            }
        });
        Iterator<Map.Entry<String, JsonNode>> fields = arguments.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode p = properties.get(f.getKey());
            if (p == null) {
                problems.add(clip(f.getKey()) + " is not an argument of this tool");
            } else if (!f.getValue().isNull()) {
                check(f.getKey(), p, f.getValue(), problems);
            }
        }
        return problems;
    }

    private static void check(String name, JsonNode p, JsonNode v, List<String> problems) {
        switch (p.path("type").textValue()) {
            case "string" -> {
                if (!v.isTextual()) {
                    problems.add(name + " must be a string");
                } else if (p.has("enum") && !contains(p.get("enum"), v.textValue())) {
                    problems.add(name + " must be one of " + p.get("enum"));
                }
            }
            case "integer" -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < p.path("minimum").longValue()
                        || v.longValue() > p.path("maximum").longValue()) {
                    problems.add(name + " must be a whole number from " + p.path("minimum").longValue() + " to "
                            + p.path("maximum").longValue());
                }
            }
            case "object" -> {
                if (!v.isObject()) {
                    problems.add(name + " must be an object of strings");
                } else {
                    v.fields().forEachRemaining(e -> {
                        if (!e.getValue().isTextual()) {
                            problems.add(name + "." + clip(e.getKey()) + " must be a string");
                        }
                    });
                }
            }
            default -> problems.add(name + " has a type this server cannot check");
        }
    }

    private static boolean contains(JsonNode values, String value) {
        for (JsonNode v : values) {
            if (v.textValue().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
