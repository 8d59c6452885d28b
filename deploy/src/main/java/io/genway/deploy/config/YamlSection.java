package io.genway.deploy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One mapping of the YAML tree with its path ({@code pools[1].engine}): typed reads with defaults, each failure a
 * {@link ConfigException} naming the key, and a check that nothing was left unread (a misspelt key is an error,
 * not a silently ignored line).
 */
final class YamlSection {
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    private YamlSection(String path, JsonNode node) {
        this.path = path;
        this.node = node;
    }

    static YamlSection root(JsonNode node) {
        return of("", node);
    }

    private static YamlSection of(String path, JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) return new YamlSection(path, MissingNode.getInstance());
        if (!node.isObject()) throw new ConfigException(path, "must be a mapping of keys to values, was " + kind(node));
        return new YamlSection(path, node);
    }

    /** Whether the YAML has this mapping at all (an absent one reads as empty). */
    boolean present() {
        return !node.isMissingNode();
    }

    String path() {
        return path;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode value(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    String string(String key, String dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (!v.isValueNode()) throw new ConfigException(path(key), "must be a single value, was " + kind(v));
        return v.asText();
    }

    int integer(String key, int dflt) {
        long n = longValue(key, dflt);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) throw new ConfigException(path(key), "out of range, was " + n);
        return (int) n;
    }

    long longValue(String key, long dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw new ConfigException(path(key), "must be a whole number, was " + shown(v));
    }

    /** A size in bytes: a whole number, or text such as {@code 512MiB} ({@link ByteSizes}). */
    long bytes(String key, long dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
        if (!v.isTextual()) throw new ConfigException(path(key), "must be a size in bytes with an optional unit (e.g. 512MiB, 2GiB), was " + shown(v));
        try {
            return ByteSizes.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path(key), e.getMessage());
        }
    }

    Duration duration(String key, Duration dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (v.isIntegralNumber() && v.asLong() == 0) return Duration.ZERO;
        if (!v.isTextual()) throw new ConfigException(path(key), "must be a duration with a unit (500ms, 5s, 10m, 24h), was " + shown(v));
        try {
            return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path(key), e.getMessage());
        }
    }

    Path pathValue(String key, Path dflt) {
        String s = string(key, null);
        return s == null ? dflt : Path.of(s);
    }

    URI uri(String key) {
        String s = string(key, null);
        if (s == null) return null;
        try {
            return new URI(s.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(path(key), "not a URL: '" + s + "'");
        }
    }

    List<String> strings(String key, List<String> dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (!v.isArray()) throw new ConfigException(path(key), "must be a list, was " + kind(v));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode() || e.isNull()) throw new ConfigException(path(key) + "[" + i + "]", "must be a single value, was " + kind(e));
            out.add(e.asText());
        }
        return out;
    }

    /** A mapping of names to single values (Kafka client settings, a model map); numbers and booleans become text. */
    Map<String, String> stringMap(String key, Map<String, String> dflt) {
        JsonNode v = value(key);
        if (v == null) return dflt;
        if (!v.isObject()) throw new ConfigException(path(key), "must be a mapping of names to values, was " + kind(v));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(path(key) + "." + e.getKey(), "must be a single value, was " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    YamlSection section(String key) {
        return of(path(key), value(key));
    }

    /** A list of mappings; null when the key is absent. */
    List<YamlSection> sections(String key) {
        JsonNode v = value(key);
        if (v == null) return null;
        if (!v.isArray()) throw new ConfigException(path(key), "must be a list, was " + kind(v));
        List<YamlSection> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String at = path(key) + "[" + i + "]";
            if (!v.get(i).isObject()) throw new ConfigException(at, "must be a mapping of keys to values, was " + kind(v.get(i)));
            out.add(of(at, v.get(i)));
        }
        return out;
    }

    /** Fails on the first key no read asked for; {@code what} names them in the message ("key", "option for engine type remote"). */
    void rejectUnknown(String what) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                throw new ConfigException(path(key), "unknown " + what + " (known: " + String.join(", ", known) + ")");
            }
        }
    }

    /** Builds a record from this section, placing its field-named errors under this section's path. */
    <T> T build(Supplier<T> record) {
        try {
            return record.get();
        } catch (ConfigException e) {
            throw e.under(path);
        }
    }

    private static String kind(JsonNode v) {
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        if (v.isNull()) return "empty";
        return shown(v);
    }

    private static String shown(JsonNode v) {
        return v.isTextual() ? "'" + v.asText() + "'" : v.toString();
    }
}
