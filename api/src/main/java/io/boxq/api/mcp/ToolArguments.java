package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;

/**
 * The check of a tool's arguments against its JSON Schema (one {@link ToolSchema} builds), by the
 * networknt validator, with each problem said in the words a model can act on ("wait_s must be a
 * whole number from 0 to 60"). It catches what the schema says (missing, unknown, wrong type, out of
 * range); the services behind the tools check the rest (allowed images, paths inside the
 * workspace, …) as they do for the REST routes. An argument given as {@code null} counts as absent.
 */
final class ToolArguments {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final ObjectNode schema;
    private final Schema compiled;

    ToolArguments(ObjectNode schema) {
        this.schema = schema;
        this.compiled = SCHEMAS.getSchema(schema.toString(), InputFormat.JSON);
    }

    /** What is wrong with {@code arguments}; empty when nothing. */
    List<String> problems(ObjectNode arguments) {
        ObjectNode given = arguments.deepCopy();
        List<String> nulls = new ArrayList<>();
        given.fieldNames().forEachRemaining(name -> {
            if (given.get(name).isNull()) {
                nulls.add(name);
            }
        });
        given.remove(nulls);
        return compiled.validate(given.toString(), InputFormat.JSON).stream().map(this::describe).distinct().toList();
    }

    private String describe(Error e) {
        return switch (e.getKeyword()) {
            case "required" -> clip(e.getProperty()) + " is required";
            case "additionalProperties" -> clip(e.getProperty()) + " is not an argument of this tool";
            default -> expectation(e.getInstanceLocation());
        };
    }

    /** What the argument at {@code at} must be, from the tool's own schema. */
    private String expectation(NodePath at) {
        if (at.getNameCount() == 0) {
            return "the arguments must be an object";
        }
        String name = clip(at.getName(0));
        if (at.getNameCount() > 1) {
            return name + "." + clip(at.getName(1)) + " must be a string";
        }
        JsonNode p = schema.path("properties").path(at.getName(0));
        return name + switch (p.path("type").asText()) {
            case "string" -> p.has("enum") ? " must be one of " + p.get("enum") : " must be a string";
            case "integer" -> " must be a whole number from " + p.path("minimum").longValue() + " to "
                    + p.path("maximum").longValue();
            case "object" -> " must be an object of strings";
            default -> " does not match its schema";
        };
    }

    private static String clip(String s) {
        return s == null ? "?" : s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
