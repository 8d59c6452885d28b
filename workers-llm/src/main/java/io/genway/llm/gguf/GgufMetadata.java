package io.genway.llm.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The key-value header of a GGUF file, in file order, with typed accessors. A missing key or one of another type
 * fails with a {@link GgufFormatException} that names the key; the {@code ...Or} forms take a default instead for
 * keys that the format leaves optional.
 */
public final class GgufMetadata {
    private final SequencedMap<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(values));
    }

    public SequencedMap<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        GgufValue value = values.get(key);
        if (value == null) throw new GgufFormatException("missing metadata key " + key);
        return value;
    }

    public String string(String key) {
        return (String) typed(key, GgufValueType.STRING).value();
    }

    public Optional<String> findString(String key) {
        return contains(key) ? Optional.of(string(key)) : Optional.empty();
    }

    public long longValue(String key) {
        return get(key).asLong(key);
    }

    /** An integer of any GGUF integer type that fits an int (a uint32 above 2^31 does not). */
    public int integer(String key) {
        long v = longValue(key);
        if (v != (int) v) throw new GgufFormatException("metadata key " + key + " = " + v + " does not fit an int");
        return (int) v;
    }

    public int integerOr(String key, int fallback) {
        return contains(key) ? integer(key) : fallback;
    }

    public float float32(String key) {
        GgufValue value = get(key);
        return switch (value.type()) {
            case FLOAT32 -> (Float) value.value();
            case FLOAT64 -> (float) (double) (Double) value.value();
            default -> throw new GgufFormatException("metadata key " + key + " is a " + value.type() + ", not a float");
        };
    }

    public float float32Or(String key, float fallback) {
        return contains(key) ? float32(key) : fallback;
    }

    public boolean bool(String key) {
        return (Boolean) typed(key, GgufValueType.BOOL).value();
    }

    public boolean boolOr(String key, boolean fallback) {
        return contains(key) ? bool(key) : fallback;
    }

    public GgufArray array(String key) {
        return (GgufArray) typed(key, GgufValueType.ARRAY).value();
    }

    public String[] strings(String key) {
        return (String[]) arrayOf(key, GgufValueType.STRING).elements();
    }

    public float[] floats(String key) {
        return (float[]) arrayOf(key, GgufValueType.FLOAT32).elements();
    }

    /** An int32 or uint32 array (unsigned values keep their bits). */
    public int[] ints(String key) {
        GgufArray array = array(key);
        if (array.elementType() != GgufValueType.INT32 && array.elementType() != GgufValueType.UINT32) {
            throw new GgufFormatException("metadata key " + key + " is an array of " + array.elementType() + ", not of INT32");
        }
        return (int[]) array.elements();
    }

    private GgufValue typed(String key, GgufValueType type) {
        GgufValue value = get(key);
        if (value.type() != type) throw new GgufFormatException("metadata key " + key + " is a " + value.type() + ", not a " + type);
        return value;
    }

    private GgufArray arrayOf(String key, GgufValueType elementType) {
        GgufArray array = array(key);
        if (array.elementType() != elementType) {
            throw new GgufFormatException("metadata key " + key + " is an array of " + array.elementType() + ", not of " + elementType);
        }
        return array;
    }

    @Override
    public String toString() {
        return "GgufMetadata" + values;
    }
}
