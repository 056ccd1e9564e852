package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Builds the JSON Schema of a tool's arguments: an object of strings, whole numbers, string enums
 * and maps of strings, no other properties. {@link ToolArguments} checks arguments against it; a
 * new kind of argument needs a method here and its wording in {@link ToolArguments}.
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
}
