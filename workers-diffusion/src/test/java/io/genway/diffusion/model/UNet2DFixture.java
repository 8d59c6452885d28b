package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The UNet2DModel fixture of shared/reference/unet2d-fixture.md as a diffusers pipeline folder: its config, and
 * weights made by the fixture's formula, so a forward pass can be checked against the expected outputs there
 * without downloading a checkpoint.
 */
public final class UNet2DFixture {
    static final int SIZE = 16;
    static final int CHANNELS = 3;
    private static final List<String> NORM_SCALES =
            List.of("norm1.weight", "norm2.weight", "group_norm.weight", "conv_norm_out.weight");

    private UNet2DFixture() {}

    /** Writes {@code model_index.json} and {@code unet/} (config and F32 weights) under {@code root}. */
    public static Path write(Path root) throws IOException {
        Files.createDirectories(root.resolve("unet"));
        Files.writeString(root.resolve(DiffusersFolder.INDEX_FILE), """
                {"_class_name": "DDPMPipeline", "unet": ["diffusers", "UNet2DModel"]}
                """);
        Path config = Files.writeString(root.resolve("unet/config.json"), UNet2DConfigTest.FIXTURE);
        Map<String, long[]> shapes = UNet2DWeights.shapes(UNet2DConfig.read(config));
        List<String> sorted = new ArrayList<>(shapes.keySet());
        sorted.sort(null);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (int k = 0; k < sorted.size(); k++) {
            String name = sorted.get(k);
            long[] shape = shapes.get(name);
            writer.add(name, Dtype.F32, shape, weights(name, k, (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)));
        }
        writer.write(root.resolve("unet/diffusion_pytorch_model.safetensors"));
        return root;
    }

    /** Element i of the k-th tensor in sorted name order: 0.05 sin(0.1 i + k), plus 1 for group-norm scales. */
    static float[] weights(String name, int k, int count) {
        double offset = NORM_SCALES.stream().anyMatch(name::endsWith) ? 1.0 : 0.0;
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) (0.05 * Math.sin(0.1 * i + k) + offset);
        return out;
    }

    /** The fixture's input, shape (1, 3, 16, 16): x[0, c, h, w] = sin(0.01 ((c * 16 + h) * 16 + w)). */
    public static float[] input() {
        float[] x = new float[CHANNELS * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.01 * i);
        return x;
    }
}
