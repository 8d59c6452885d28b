package io.genway.diffusion.nn;

import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.TensorInfo;
import io.genway.diffusion.safetensors.TensorStore;

/**
 * Builds ops from a checkpoint's tensors by diffusers module name (the name's prefix, e.g.
 * {@code down_blocks.0.resnets.1.conv1}), each converted to float once. Shapes come from the tensors themselves; the
 * models check the whole state dict against their config first, so a tensor missing or misshapen here is named.
 */
public final class Weights {
    private final TensorStore store;

    public Weights(TensorStore store) {
        this.store = store;
    }

    public boolean has(String module) {
        return store.contains(module + ".weight");
    }

    public float[] tensor(String name) {
        return store.floats(name);
    }

    public long[] shape(String name) {
        return store.info(name).shape();
    }

    public Conv2d conv(String module, int stride, int padding) {
        long[] shape = rank(module + ".weight", 4);
        return new Conv2d((int) shape[0], (int) shape[1], (int) shape[2], stride, padding,
                tensor(module + ".weight"), tensor(module + ".bias"));
    }

    public Linear linear(String module) {
        long[] shape = rank(module + ".weight", 2);
        float[] bias = store.contains(module + ".bias") ? tensor(module + ".bias") : null;
        return new Linear((int) shape[0], (int) shape[1], tensor(module + ".weight"), bias);
    }

    /** A 1x1 conv's weight read as a linear layer: the same (out, in) matrix. */
    public Linear pointwiseAsLinear(String module) {
        long[] shape = rank(module + ".weight", 4);
        return new Linear((int) shape[0], (int) shape[1], tensor(module + ".weight"), tensor(module + ".bias"));
    }

    public Norms.GroupNorm groupNorm(String module, int groups, double eps) {
        return new Norms.GroupNorm(groups, eps, tensor(module + ".weight"), tensor(module + ".bias"));
    }

    public Norms.LayerNorm layerNorm(String module, double eps) {
        return new Norms.LayerNorm(eps, tensor(module + ".weight"), tensor(module + ".bias"));
    }

    private long[] rank(String name, int rank) {
        TensorInfo info = store.info(name);
        if (info.shape().length != rank) {
            throw new SafetensorsException(store.path(), "tensor " + name + " has rank " + info.shape().length
                    + ", expected " + rank);
        }
        return info.shape();
    }
}
