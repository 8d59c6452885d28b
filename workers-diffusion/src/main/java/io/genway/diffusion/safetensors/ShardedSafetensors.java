package io.genway.diffusion.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A checkpoint split over several files by a {@code <name>.safetensors.index.json} whose {@code weight_map} maps
 * each tensor to its shard (a file name next to the index), seen as one store. Every shard is opened up front, so a
 * missing shard or a tensor the index places in the wrong shard fails at open, not at first use.
 */
public final class ShardedSafetensors implements TensorStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf;
    private final Map<String, SafetensorsFile> shards;
    private final SequencedMap<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shardOf, Map<String, SafetensorsFile> shards,
            SequencedMap<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static ShardedSafetensors open(Path index) throws IOException {
        Map<String, String> weightMap = weightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            for (String shardName : new TreeSet<>(weightMap.values())) {
                Path shard = index.resolveSibling(shardName);
                if (!Files.isRegularFile(shard)) {
                    throw new SafetensorsException(index, "shard " + shardName + " named in weight_map is missing");
                }
                shards.put(shardName, SafetensorsFile.open(shard));
            }
            Map<String, SafetensorsFile> shardOf = new HashMap<>();
            TreeMap<String, TensorInfo> tensors = new TreeMap<>();
            for (Map.Entry<String, String> entry : weightMap.entrySet()) {
                SafetensorsFile shard = shards.get(entry.getValue());
                if (!shard.contains(entry.getKey())) {
                    throw new SafetensorsException(index, "tensor " + entry.getKey() + " is missing from shard "
                            + entry.getValue());
                }
                shardOf.put(entry.getKey(), shard);
                tensors.put(entry.getKey(), shard.info(entry.getKey()));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (SafetensorsFile shard : shards.values()) metadata.putAll(shard.metadata());
            return new ShardedSafetensors(index, shardOf, shards, Collections.unmodifiableSequencedMap(tensors),
                    Map.copyOf(metadata));
        } catch (IOException | RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(index, "index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new SafetensorsException(index, "weight_map is missing");
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            String shard = entry.getValue().isTextual() ? entry.getValue().textValue() : "";
            // a shard name is a sibling file, never a path that climbs out of the checkpoint folder
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new SafetensorsException(index, "weight_map." + entry.getKey() + " must be a file name, was "
                        + entry.getValue());
            }
            out.put(entry.getKey(), shard);
        }
        return out;
    }

    @Override
    public Path path() {
        return index;
    }

    /** The shard files, by file name. */
    public Set<String> shardNames() {
        return Collections.unmodifiableSet(shards.keySet());
    }

    @Override
    public SequencedMap<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public MemorySegment data(String name) {
        return shard(name).data(name);
    }

    @Override
    public float[] floats(String name) {
        return shard(name).floats(name);
    }

    @Override
    public byte[] bytes(String name) {
        return shard(name).bytes(name);
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) throw new SafetensorsException(index, "tensor " + name + " is missing from weight_map");
        return shard;
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
