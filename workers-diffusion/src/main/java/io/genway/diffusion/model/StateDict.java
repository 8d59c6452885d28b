package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.TensorInfo;
import io.genway.diffusion.safetensors.TensorStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/** Builds a model's expected tensor names and shapes module by module, in the order PyTorch registers them. */
final class StateDict {
    static final long KERNEL = 3;

    private final SequencedMap<String, long[]> shapes = new LinkedHashMap<>();

    SequencedMap<String, long[]> shapes() {
        return shapes;
    }

    /**
     * Fails naming the file's tensor when {@code store} lacks one of {@code shapes}, or holds it in another shape or
     * a dtype that is not float. Extra tensors are ignored, as diffusers ignores them with a warning.
     */
    static void check(TensorStore store, SequencedMap<String, long[]> shapes) {
        shapes.forEach((name, shape) -> {
            TensorInfo info = store.info(name);
            if (!Arrays.equals(info.shape(), shape)) {
                throw new SafetensorsException(store.path(), "tensor " + name + " has shape "
                        + Arrays.toString(info.shape()) + " but the config needs " + Arrays.toString(shape));
            }
            if (!info.dtype().readsAsFloat()) {
                throw new SafetensorsException(store.path(), "tensor " + name + " has dtype " + info.dtype()
                        + "; F32, F16 or BF16 needed");
            }
        });
    }

    /**
     * diffusers' ResnetBlock2D: a time-embedding projection unless {@code time} is 0 (the VAE has none); a 1x1
     * shortcut when the width changes.
     */
    void resnet(String prefix, long in, long width, long time) {
        vector(prefix + ".norm1", in);
        conv(prefix + ".conv1", width, in, KERNEL);
        if (time > 0) linear(prefix + ".time_emb_proj", width, time);
        vector(prefix + ".norm2", width);
        conv(prefix + ".conv2", width, width, KERNEL);
        if (in != width) conv(prefix + ".conv_shortcut", width, in, 1);
    }

    /** Self-attention over a feature map (AttnDownBlock2D and kin): a group norm, all projections biased. */
    void spatialAttention(String prefix, long width) {
        vector(prefix + ".group_norm", width);
        for (String projection : List.of("to_q", "to_k", "to_v", "to_out.0")) {
            linear(prefix + "." + projection, width, width);
        }
    }

    void conv(String prefix, long outputs, long inputs, long kernel) {
        shapes.put(prefix + ".weight", new long[] {outputs, inputs, kernel, kernel}); // (out, in, kh, kw)
        shapes.put(prefix + ".bias", new long[] {outputs});
    }

    void linear(String prefix, long outputs, long inputs) {
        unbiased(prefix, outputs, inputs);
        shapes.put(prefix + ".bias", new long[] {outputs});
    }

    void unbiased(String prefix, long outputs, long inputs) {
        shapes.put(prefix + ".weight", new long[] {outputs, inputs}); // (out, in)
    }

    /** A norm's scale and shift. */
    void vector(String prefix, long width) {
        shapes.put(prefix + ".weight", new long[] {width});
        shapes.put(prefix + ".bias", new long[] {width});
    }
}
