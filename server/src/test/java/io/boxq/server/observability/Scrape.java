package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.server.BoxqClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code /metrics}: each series (name and labels) with its value. */
public record Scrape(Map<String, Double> series) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    public static Scrape of(BoxqClient client) {
        BoxqClient.Reply r = client.get("/metrics", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        return parse(r.body());
    }

    static Scrape parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            series.put(key(m.group(1), labels), Double.parseDouble(m.group(4)));
        }
        return new Scrape(series);
    }

    /** The value of a series, 0 when it is absent; {@code labels} as name, value, name, value… */
    public double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return series.getOrDefault(key(name, wanted), 0.0);
    }

    boolean has(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return series.containsKey(key(name, wanted));
    }

    boolean hasAny(String namePrefix) {
        return series.keySet().stream().anyMatch(k -> k.startsWith(namePrefix));
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }
}
