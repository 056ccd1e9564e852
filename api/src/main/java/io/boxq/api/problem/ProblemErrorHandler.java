package io.boxq.api.problem;

import io.boxq.core.json.Json;
import io.javalin.config.JettyConfig;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The answers Jetty gives on its own, before a request reaches Javalin (a request line or header
 * it cannot parse, a URI or headers too long, an ambiguous path), as problem+json like every other
 * error, instead of Jetty's HTML page.
 */
public final class ProblemErrorHandler extends ErrorHandler {
    /** Installs it on the server and on Javalin's servlet context; a client that breaks off mid-body gets a 400. */
    public static void install(JettyConfig jetty) {
        jetty.clientAbortStatus = 400;
        jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
        jetty.modifyServletContextHandler(context -> context.setErrorHandler(new ProblemErrorHandler()));
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        return BufferUtil.toBuffer(body(status, reason));
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        baseRequest.setHandled(true);
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        byte[] body = body(response.getStatus(), message instanceof String s ? s : null);
        response.setContentType(Problem.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] body(int status, String reason) {
        String title = HttpStatus.getMessage(status);
        String detail = "the request could not be read: " + (reason == null || reason.isBlank() ? title : reason);
        String slug = switch (status) {
            case 400 -> "invalid-request";
            case 413 -> "too-large";
            case 414 -> "uri-too-long";
            case 431 -> "headers-too-large";
            default -> "http-" + status;
        };
        return Json.write(Problem.of(status, slug, title, detail)).getBytes(StandardCharsets.UTF_8);
    }
}
