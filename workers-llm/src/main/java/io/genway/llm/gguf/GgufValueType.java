package io.genway.llm.gguf;

/** The metadata value types of GGUF v3, with their on-disk ids; sizes are in bytes, 0 for variable-length ones. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 0), ARRAY(9, 0), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    public int id() {
        return id;
    }

    /** Bytes of one value, or 0 for strings and arrays. */
    public int size() {
        return size;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type of on-disk id {@code id}; {@code key} only names the value in the error. */
    public static GgufValueType ofId(int id, String key) {
        if (id < 0 || id >= BY_ID.length) throw new GgufFormatException("unknown metadata value type " + id + " for key " + key);
        return BY_ID[id];
    }
}
