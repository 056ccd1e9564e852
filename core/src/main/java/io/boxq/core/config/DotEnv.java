package io.boxq.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads a {@code .env} file (KEY=value lines, # comments, optional quotes); real variables win over it. */
public final class DotEnv {
    private DotEnv() {}

    public static Map<String, String> overlay(Path file, Map<String, String> realEnv) {
        Map<String, String> merged = new HashMap<>();
        if (Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    parseLine(line, merged);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        merged.putAll(realEnv);
        return merged;
    }

    static void parseLine(String line, Map<String, String> into) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return;
        }
        if (s.startsWith("export ")) {
            s = s.substring("export ".length()).strip();
        }
        int eq = s.indexOf('=');
        if (eq <= 0) {
            return;
        }
        String key = s.substring(0, eq).strip();
        String value = s.substring(eq + 1).strip();
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        } else if (value.startsWith("#")) {
            value = "";
        } else {
            int hash = value.indexOf(" #");
            if (hash >= 0) {
                value = value.substring(0, hash).strip();
            }
        }
        into.put(key, value);
    }
}
