package io.boxq.core.config;

import java.util.List;

/** Thrown at start-up when the environment holds bad values; its message lists every one. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("boxq cannot start, the configuration has " + problems.size() + " problem(s):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
