package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns a problem document (or an error answer that is not one) into the typed exception of its status. */
public final class Problems {
    private Problems() {}

    public static ProblemException of(int status, byte[] body, Duration retryAfter, ObjectMapper json) {
        JsonNode doc = null;
        try {
            doc = body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            // not JSON (a proxy's page, say): the status alone speaks
        }
        if (doc == null || !doc.isObject()) {
            doc = json.createObjectNode().put("status", status)
                    .put("title", body.length == 0 ? "HTTP " + status : new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        return of(doc, retryAfter);
    }

    /** A problem document as a batch item or a server answer carries it. */
    public static ProblemException of(JsonNode doc, Duration retryAfter) {
        int status = doc.path("status").asInt(500);
        String type = text(doc, "type");
        String title = text(doc, "title");
        String detail = text(doc, "detail");
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode e : doc.path("errors")) {
            errors.add(new FieldError(text(e, "field"), text(e, "message")));
        }
        return switch (status) {
            case 400 -> new InvalidRequestException(type, title, detail, errors, retryAfter, doc);
            case 401 -> new UnauthorizedException(type, title, detail, errors, retryAfter, doc);
            case 403 -> new ForbiddenException(type, title, detail, errors, retryAfter, doc);
            case 404 -> new NotFoundException(type, title, detail, errors, retryAfter, doc);
            case 409 -> new ConflictException(type, title, detail, errors, retryAfter, doc);
            case 410 -> new SandboxEndedException(type, title, detail, errors, retryAfter, doc);
            case 429 -> new RateLimitedException(type, title, detail, errors, retryAfter, doc);
            case 503 -> new UnavailableException(type, title, detail, errors, retryAfter, doc);
            default -> new ProblemException(status, type, title, detail, errors, retryAfter, doc);
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
