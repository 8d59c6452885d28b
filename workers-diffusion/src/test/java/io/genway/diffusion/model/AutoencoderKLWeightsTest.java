package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderKLWeightsTest {
    @TempDir
    Path dir;

    @Test
    void countsStableDiffusionsVaeParameters() {
        Map<String, long[]> shapes = AutoencoderKLWeights.shapes(read(AutoencoderKLConfigTest.SD15));

        assertThat(parameters(shapes)).isEqualTo(83_653_863L);
    }

    @Test
    void givesTheEncoderTwiceTheLatentChannelsAndTheResnetsNoTimeProjection() {
        Map<String, long[]> shapes = AutoencoderKLWeights.shapes(read(AutoencoderKLConfigTest.SD15));

        assertThat(shapes.get("encoder.conv_out.weight")).containsExactly(8, 512, 3, 3);
        assertThat(shapes.get("decoder.conv_in.weight")).containsExactly(512, 4, 3, 3);
        assertThat(shapes.get("decoder.up_blocks.3.resnets.0.conv_shortcut.weight")).containsExactly(128, 256, 1, 1);
        assertThat(shapes.keySet()).noneMatch(name -> name.contains("time_emb_proj"));
    }

    @Test
    void leavesOutTheQuantConvsWhenTheConfigDoes() {
        Map<String, long[]> shapes = AutoencoderKLWeights.shapes(read(AutoencoderKLConfigTest.SD15.replace("\"act_fn\"",
                "\"use_quant_conv\": false, \"use_post_quant_conv\": false, \"act_fn\"")));

        assertThat(shapes).doesNotContainKeys("quant_conv.weight", "post_quant_conv.weight");
    }

    private static long parameters(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(shape -> Arrays.stream(shape).reduce(1, Math::multiplyExact)).sum();
    }

    private AutoencoderKLConfig read(String json) {
        return AutoencoderKLConfig.read(ConfigFolders.write(dir, "vae/config.json", json));
    }
}
