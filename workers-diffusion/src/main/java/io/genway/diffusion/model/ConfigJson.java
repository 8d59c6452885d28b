package io.genway.diffusion.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One diffusers JSON config, read key by key with diffusers' default for a key that is absent or null (diffusers
 * writes every default out, but older checkpoints predate newer keys). Keys this engine does not know are ignored,
 * as diffusers ignores them; known keys with values it does not implement fail, naming file, key and value.
 */
final class ConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private ConfigJson(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static ConfigJson read(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (root == null || !root.isObject()) throw new ModelConfigException(file, "file is not a JSON object");
            return new ConfigJson(file, root);
        } catch (NoSuchFileException e) {
            throw new ModelConfigException(file, "file is missing", e);
        } catch (JsonProcessingException e) {
            throw new ModelConfigException(file, "is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelConfigException(file, "cannot be read: " + e, e);
        }
    }

    Path file() {
        return file;
    }

    JsonNode root() {
        return root;
    }

    boolean has(String key) {
        JsonNode node = root.get(key);
        return node != null && !node.isNull();
    }

    int integer(String key, int fallback) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.canConvertToExactIntegral() || !node.canConvertToInt()) throw wrongType(key, "an integer");
        return node.asInt();
    }

    double decimal(String key, double fallback) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isNumber()) throw wrongType(key, "a number");
        return node.asDouble();
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isBoolean()) throw wrongType(key, "a boolean");
        return node.asBoolean();
    }

    /** The string at {@code key}, or {@code fallback} (which may be null) when absent or null. */
    String string(String key, String fallback) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isTextual()) throw wrongType(key, "a string");
        return node.textValue();
    }

    /** A string that must be one of {@code supported}. */
    String oneOf(String key, String fallback, Set<String> supported) {
        String value = string(key, fallback);
        if (!supported.contains(value)) throw unsupported(key, value, supported);
        return value;
    }

    List<String> strings(String key, List<String> fallback, Set<String> supported) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isArray() || node.isEmpty()) throw wrongType(key, "a non-empty array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) throw wrongType(key, "a non-empty array of strings");
            if (!supported.contains(item.textValue())) throw unsupported(key, item.textValue(), supported);
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }

    List<Integer> integers(String key, List<Integer> fallback) {
        if (!has(key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isArray() || node.isEmpty()) throw wrongType(key, "a non-empty array of integers");
        List<Integer> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.canConvertToExactIntegral() || !item.canConvertToInt()) {
                throw wrongType(key, "a non-empty array of integers");
            }
            out.add(item.asInt());
        }
        return List.copyOf(out);
    }

    /** diffusers' "an int for every block, or a list with one per block" keys. */
    List<Integer> integerPerBlock(String key, int fallback, int blocks) {
        if (has(key) && root.get(key).isArray()) {
            List<Integer> list = integers(key, List.of());
            if (list.size() != blocks) {
                throw new ModelConfigException(file, key + " has " + list.size() + " entries for " + blocks
                        + " blocks: " + root.get(key));
            }
            return list;
        }
        return Collections.nCopies(blocks, integer(key, fallback));
    }

    /** A key whose non-default values select code this engine does not have. */
    void requireDefault(String key, Object diffusersDefault) {
        if (!has(key)) return;
        Object value = switch (root.get(key)) {
            case JsonNode node when node.isBoolean() -> node.asBoolean();
            case JsonNode node when node.isIntegralNumber() && diffusersDefault instanceof Integer -> node.asInt();
            case JsonNode node when node.isNumber() -> node.asDouble();
            case JsonNode node when node.isTextual() -> node.textValue();
            case JsonNode node -> node.toString();
        };
        if (!value.equals(diffusersDefault)) throw unsupported(key, root.get(key), Set.of(diffusersDefault));
    }

    /**
     * A key whose explicit null does not mean "default" but turns a part off (diffusers' {@code mid_block_type:
     * null} builds a UNet without a mid block), which this engine does not implement.
     */
    void rejectNull(String key, Set<?> supported) {
        if (root.has(key) && root.get(key).isNull()) throw unsupported(key, null, supported);
    }

    /** A key that must be absent or null: setting it turns on a feature this engine does not have. */
    void requireNull(String key) {
        if (has(key)) throw unsupported(key, root.get(key), Set.of("null"));
    }

    /** Re-raises a record's validation failure as a config error naming this file. */
    <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(file, e.getMessage(), e);
        }
    }

    ModelConfigException unsupported(String key, Object value, Set<?> supported) {
        return new ModelConfigException(file, key + " " + quoted(value) + " is not supported (supported: "
                + new TreeSet<>(supported.stream().map(String::valueOf).toList()) + ")");
    }

    private ModelConfigException wrongType(String key, String expected) {
        return new ModelConfigException(file, key + " must be " + expected + ", was " + root.get(key));
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
