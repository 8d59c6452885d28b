package io.genway.diffusion.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The parsed and validated JSON header of one file: every entry inside the data section, entries not overlapping,
 * each entry's byte size equal to its element count times its dtype's width.
 */
record SafetensorsHeader(SequencedMap<String, TensorInfo> tensors, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";
    // a repeated key would let two readers of one file see different tensors, so it is an error, not "last wins"
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    SafetensorsHeader {
        tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    static SafetensorsHeader parse(Path file, byte[] json, long dataSize) {
        JsonNode root;
        try {
            // parsed from bytes so that invalid UTF-8 fails instead of turning into replacement characters
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8 JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8 JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(file, "header is not a JSON object");
        TreeMap<String, TensorInfo> tensors = new TreeMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                tensors.put(field.getKey(), entry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        rejectOverlaps(file, tensors.values());
        return new SafetensorsHeader(tensors, metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) throw new SafetensorsException(file, METADATA_KEY + " is not a JSON object");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new SafetensorsException(file, METADATA_KEY + "." + field.getKey() + " is not a string");
            }
            out.put(field.getKey(), field.getValue().textValue());
        }
        return out;
    }

    private static TensorInfo entry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) throw new SafetensorsException(file, "tensor " + name + ": entry is not a JSON object");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(file, "tensor " + name + ": dtype is missing or not a string");
        }
        Dtype dtype = Dtype.parse(dtypeNode.textValue()).orElseThrow(() -> new SafetensorsException(file,
                "tensor " + name + ": unknown dtype " + dtypeNode.textValue()));
        long[] shape = longs(file, name, "shape", node.get("shape"), -1);
        long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new SafetensorsException(file, "tensor " + name + ": data_offsets [" + begin + ", " + end
                    + "] out of range of the " + dataSize + "-byte data section");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, "tensor " + name + ": shape overflows a long");
        }
        if (expected != info.byteSize()) {
            throw new SafetensorsException(file, "tensor " + name + ": data_offsets span " + info.byteSize()
                    + " bytes but shape and dtype need " + expected);
        }
        return info;
    }

    /** Non-negative integers; exactly {@code count} of them unless count is -1. */
    private static long[] longs(Path file, String name, String key, JsonNode node, int count) {
        if (node == null || !node.isArray() || (count >= 0 && node.size() != count)) {
            String size = count >= 0 ? " of " + count : "";
            throw new SafetensorsException(file, "tensor " + name + ": " + key + " must be an array" + size
                    + " of integers, was " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode item = node.get(i);
            if (!item.canConvertToExactIntegral() || !item.canConvertToLong() || item.asLong() < 0) {
                throw new SafetensorsException(file, "tensor " + name + ": " + key + " must hold non-negative"
                        + " integers, was " + node);
            }
            out[i] = item.asLong();
        }
        return out;
    }

    /** Empty tensors take no bytes and so cannot overlap anything. */
    private static void rejectOverlaps(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> byOffset = new ArrayList<>();
        for (TensorInfo info : infos) if (info.byteSize() > 0) byOffset.add(info);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new SafetensorsException(file, "tensors " + previous.name() + " and " + current.name()
                        + " overlap");
            }
        }
    }
}
