package io.genway.llm.gguf;

import java.util.Objects;

/**
 * One metadata value with its GGUF type, so that a writer can reproduce the file exactly. Scalars are boxed as
 * the narrowest Java type of the same width (Byte, Short, Integer, Long, Float, Double, Boolean, String); unsigned
 * values keep their bits. Arrays are {@link GgufArray}s.
 */
public record GgufValue(GgufValueType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case UINT8, INT8 -> Byte.class;
            case UINT16, INT16 -> Short.class;
            case UINT32, INT32 -> Integer.class;
            case UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (value.getClass() != expected) {
            throw new IllegalArgumentException("value of type " + type + " must be a " + expected.getSimpleName()
                    + ", was " + value.getClass().getSimpleName());
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUint32(int bits) {
        return new GgufValue(GgufValueType.UINT32, bits);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufValueType elementType, Object elements) {
        return new GgufValue(GgufValueType.ARRAY, new GgufArray(elementType, elements));
    }

    /** The value as a long when its type is an integer; unsigned types widen without sign extension. */
    long asLong(String key) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) value);
            case INT8 -> (Byte) value;
            case UINT16 -> Short.toUnsignedLong((Short) value);
            case INT16 -> (Short) value;
            case UINT32 -> Integer.toUnsignedLong((Integer) value);
            case INT32 -> (Integer) value;
            case UINT64, INT64 -> (Long) value;
            default -> throw new GgufFormatException("metadata key " + key + " is a " + type + ", not an integer");
        };
    }
}
