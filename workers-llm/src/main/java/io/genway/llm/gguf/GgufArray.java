package io.genway.llm.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A metadata array. {@code elements} is a Java array matching {@code elementType}: byte[] for (U)INT8, short[]
 * for (U)INT16, int[] for (U)INT32, long[] for (U)INT64, float[], double[], boolean[], String[], and GgufArray[]
 * for nested arrays. Unsigned values keep their bits (a uint32 of 0xFFFFFFFF reads as -1 in the int[]).
 */
public record GgufArray(GgufValueType elementType, Object elements) {
    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(elements, "elements");
        Class<?> expected = javaArrayClass(elementType);
        if (elements.getClass() != expected) {
            throw new IllegalArgumentException("elements of a " + elementType + " array must be a "
                    + expected.getSimpleName() + ", was " + elements.getClass().getSimpleName());
        }
    }

    public int length() {
        return Array.getLength(elements);
    }

    static Class<?> javaArrayClass(GgufValueType type) {
        return switch (type) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other && elementType == other.elementType
                && Objects.deepEquals(elements, other.elements);
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Arrays.deepHashCode(new Object[] {elements});
    }

    @Override
    public String toString() {
        return elementType + "[" + length() + "]";
    }
}
