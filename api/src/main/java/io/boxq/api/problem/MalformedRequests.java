package io.boxq.api.problem;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.regex.Pattern;

/**
 * Requests that Javalin would otherwise answer with a 500: a path with a malformed %-escape
 * (decoding a path parameter throws), a Content-Type naming a charset the JVM does not know
 * (decoding the body throws), a body that cannot be read (broken chunking).
 */
public final class MalformedRequests {
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

    private MalformedRequests() {}

    /** Refuses bad %-escapes and unknown charsets; register before authentication (it reads nothing). */
    public static void refuseUnreadable(Javalin app) {
        app.before(MalformedRequests::checkPathAndCharset);
    }

    /**
     * Reads the body of every {@code /v1} request up front, so one that cannot be read is a 400, and
     * one sent without a length is held to {@code maxBodyBytes} like one with (files excepted).
     * Register after authentication: unknown callers must not make the server read bodies.
     */
    public static void readBodies(Javalin app, long maxBodyBytes) {
        readBodies(app, "/v1/*", maxBodyBytes);
    }

    /** As {@link #readBodies(Javalin, long)}, for the requests of {@code path}. */
    public static void readBodies(Javalin app, String path, long maxBodyBytes) {
        app.before(path, ctx -> readBody(ctx, maxBodyBytes));
    }

    static void checkPathAndCharset(Context ctx) {
        if (BAD_ESCAPE.matcher(ctx.path()).find()) {
            throw ProblemException.badRequest("path", "has a malformed %-escape");
        }
        String charset = ctx.characterEncoding();
        if (charset != null && !known(charset)) {
            throw new ProblemException(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "the Content-Type names a charset this server does not know"));
        }
    }

    private static void readBody(Context ctx, long maxBodyBytes) {
        byte[] body;
        try {
            body = ctx.bodyAsBytes();
        } catch (HttpResponseException | ProblemException e) {
            throw e;
        } catch (Exception e) {
            throw ProblemException.badRequest("body", "could not be read (" + e.getClass().getSimpleName() + ")");
        }
        if (body.length > maxBodyBytes && !ctx.path().endsWith("/files")) {
            throw new ProblemException(Problem.of(413, "too-large", "Payload too large",
                    "request bodies are limited to " + maxBodyBytes + " bytes"));
        }
    }

    private static boolean known(String charset) {
        try {
            return Charset.isSupported(charset);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }
}
