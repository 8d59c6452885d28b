package io.genway.diffusion.safetensors;

import java.util.Optional;

/** The element types the safetensors format names in a header's {@code dtype}, with their width in bytes. */
public enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private final int byteSize;

    Dtype(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link TensorStore#floats} can read it: the float formats diffusion checkpoints ship in. */
    public boolean readsAsFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype a header spells {@code name}, or empty for one this reader does not know. */
    public static Optional<Dtype> parse(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) return Optional.of(dtype);
        }
        return Optional.empty();
    }
}
