package io.genway.diffusion.safetensors;

import java.util.Arrays;

/**
 * One header entry: a tensor's dtype, shape and byte range {@code [begin, end)} relative to the start of the data
 * section (the byte after the header).
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("name must not be empty");
        if (dtype == null) throw new IllegalArgumentException("dtype must not be null (tensor " + name + ")");
        if (shape == null) throw new IllegalArgumentException("shape must not be null (tensor " + name + ")");
        shape = shape.clone();
        for (long dim : shape) {
            if (dim < 0) throw new IllegalArgumentException("shape must not be negative (tensor " + name + "), was "
                    + Arrays.toString(shape));
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("data_offsets must satisfy 0 <= begin <= end (tensor " + name
                    + "), was [" + begin + ", " + end + "]");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Product of the shape; 1 for a scalar (empty shape). */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) count = Math.multiplyExact(count, dim);
        return count;
    }

    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that && name.equals(that.name) && dtype == that.dtype
                && Arrays.equals(shape, that.shape) && begin == that.begin && end == that.end;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
