package io.boxq.api.sandboxes;

import io.boxq.api.problem.ProblemException;
import java.util.ArrayList;
import java.util.List;

/**
 * A file path of a file call, confined to the workspace: relative paths are taken from it, absolute
 * ones must lie inside it, and {@code ..} is refused outright. (Symlinks are checked inside the
 * container, where they live.)
 */
final class WorkspacePath {
    static final int MAX_LENGTH = 4096;

    private WorkspacePath() {}

    /** @throws ProblemException 400 naming {@code path} */
    static String resolve(String raw, String workspace) {
        if (raw == null || raw.isEmpty()) {
            throw ProblemException.badRequest("path", "is required (a file inside " + workspace + ")");
        }
        if (raw.length() > MAX_LENGTH || raw.indexOf('\0') >= 0) {
            throw ProblemException.badRequest("path", "must be at most " + MAX_LENGTH + " characters, without NUL");
        }
        String full = raw.startsWith("/") ? raw : workspace + "/" + raw;
        List<String> parts = new ArrayList<>();
        for (String part : full.split("/")) {
            if (part.equals("..")) {
                throw ProblemException.badRequest("path", "must not contain '..'");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        String normal = "/" + String.join("/", parts);
        if (!normal.startsWith(workspace + "/")) {
            throw ProblemException.badRequest("path", "must name a file inside " + workspace);
        }
        return normal;
    }
}
