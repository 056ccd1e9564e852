package io.boxq.api.request;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.problem.Problem.FieldError;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object body read field by field with type checks; problems are collected so one 400
 * names every field at fault.
 */
public final class RequestBody {
    private final ObjectNode node;
    private final List<FieldError> errors = new ArrayList<>();

    private RequestBody(ObjectNode node) {
        this.node = node;
    }

    /** @throws ProblemException 400 when the body is not a JSON object or has fields not in {@code allowed} */
    public static RequestBody parse(String body, Set<String> allowed) {
        JsonNode tree;
        try {
            tree = body == null || body.isBlank() ? null : Json.mapper().readTree(body);
        } catch (JacksonException e) {
            throw ProblemException.badRequest("body", "is not valid JSON (" + firstLine(e.getOriginalMessage()) + ")");
        }
        return of(tree, allowed);
    }

    /** Like {@link #parse}, where no body at all means {@code {}}: for routes whose every field is optional. */
    public static RequestBody parseOptional(String body, Set<String> allowed) {
        return parse(body == null || body.isBlank() ? "{}" : body, allowed);
    }

    /**
     * A body already read, such as one item of a batch.
     *
     * @throws ProblemException 400 when it is not a JSON object or has fields not in {@code allowed}
     */
    public static RequestBody of(JsonNode tree, Set<String> allowed) {
        if (tree == null || !tree.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        RequestBody b = new RequestBody((ObjectNode) tree);
        tree.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                b.errors.add(new FieldError(clip(name), "is not a known field"));
            }
        });
        return b;
    }

    public boolean has(String field) {
        return node.hasNonNull(field);
    }

    /** True when the body names {@code field}, also as {@code null} (a PATCH that clears it). */
    public boolean names(String field) {
        return node.has(field);
    }

    /** A string field; null when absent. Rejects NUL bytes and values longer than {@code maxLength}. */
    public String string(String field, boolean required, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        String s = v.textValue();
        if (required && s.isEmpty()) {
            errors.add(new FieldError(field, "must not be empty"));
        } else if (s.length() > maxLength) {
            errors.add(new FieldError(field, "must be at most " + maxLength + " characters"));
        } else if (s.indexOf('\0') >= 0) {
            errors.add(new FieldError(field, "must not contain NUL characters"));
        } else {
            return s;
        }
        return null;
    }

    /** An integer field in [min, max]; {@code fallback} when absent. */
    public int integer(String field, int fallback, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            errors.add(new FieldError(field, "must be a whole number from " + min + " to " + max));
            return fallback;
        }
        return v.intValue();
    }

    /** An array field of {@code min} to {@code max} items; null (and an error) when absent or not such an array. */
    public ArrayNode array(String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            errors.add(new FieldError(field, "is required"));
        } else if (!v.isArray()) {
            errors.add(new FieldError(field, "must be an array"));
        } else if (v.size() < min || v.size() > max) {
            errors.add(new FieldError(field, "must have " + min + " to " + max + " items (it has " + v.size() + ")"));
        } else {
            return (ArrayNode) v;
        }
        return null;
    }

    /** An object of string values; keys must match {@code keyPattern}. Empty when absent. */
    public Map<String, String> stringMap(String field, String keyPattern, int maxEntries, int maxValueLength) {
        JsonNode v = node.get(field);
        Map<String, String> map = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return map;
        }
        if (!v.isObject()) {
            errors.add(new FieldError(field, "must be an object of strings"));
            return map;
        }
        if (v.size() > maxEntries) {
            errors.add(new FieldError(field, "must have at most " + maxEntries + " entries"));
            return map;
        }
        v.fields().forEachRemaining(e -> {
            String name = field + "." + clip(e.getKey());
            if (!e.getKey().matches(keyPattern)) {
                errors.add(new FieldError(name, "is not a valid name (" + keyPattern + ")"));
            } else if (!e.getValue().isTextual()) {
                errors.add(new FieldError(name, "must be a string"));
            } else if (e.getValue().textValue().length() > maxValueLength || e.getValue().textValue().indexOf('\0') >= 0) {
                errors.add(new FieldError(name, "must be at most " + maxValueLength + " characters, without NUL"));
            } else {
                map.put(e.getKey(), e.getValue().textValue());
            }
        });
        return map;
    }

    public void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** @throws ProblemException 400 naming every field at fault, if any */
    public void validate() {
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest(errors);
        }
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }
}
