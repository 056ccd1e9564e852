package io.boxq.api.openapi;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}, without auth: the OpenAPI 3.1 description of the api, kept by hand
 * next to this class. {@code OpenApiDocumentTest} holds it to the routes the server really
 * registers, both ways.
 */
public final class OpenApiRoute {
    public static final String PATH = "/openapi.json";
    static final String RESOURCE = "openapi.json";

    private final byte[] document;

    public OpenApiRoute() {
        this.document = document();
    }

    public void register(Javalin app) {
        app.get(PATH, ctx -> ctx.contentType("application/json").result(document));
    }

    /** The document's bytes, as served. */
    public static byte[] document() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the api jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
