package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DConditionWeightsTest {
    @TempDir
    Path dir;

    @Test
    void countsStableDiffusion15sParameters() {
        Map<String, long[]> shapes = UNet2DConditionWeights.shapes(read(UNet2DConditionConfigTest.SD15));

        assertThat(parameters(shapes)).isEqualTo(859_520_964L);
        assertThat(shapes).hasSize(686);
    }

    @Test
    void projectsKeysAndValuesFromTheTextStates() {
        Map<String, long[]> shapes = UNet2DConditionWeights.shapes(read(UNet2DConditionConfigTest.SD15));

        assertThat(shapes.get("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"))
                .containsExactly(320, 768);
        assertThat(shapes.get("mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight"))
                .containsExactly(10240, 1280);
        assertThat(shapes.get("up_blocks.3.resnets.2.conv_shortcut.weight")).containsExactly(320, 640, 1, 1);
        assertThat(shapes).doesNotContainKey("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias");
    }

    @Test
    void usesLinearProjectionsForStableDiffusion2() {
        Map<String, long[]> shapes = UNet2DConditionWeights.shapes(read(UNet2DConditionConfigTest.SD15
                .replace("\"attention_head_dim\": 8", "\"attention_head_dim\": [5, 10, 20, 20],"
                        + " \"use_linear_projection\": true")
                .replace("768", "1024")));

        assertThat(shapes.get("down_blocks.1.attentions.0.proj_in.weight")).containsExactly(640, 640);
        assertThat(parameters(shapes)).isEqualTo(865_910_724L);
    }

    private static long parameters(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(shape -> Arrays.stream(shape).reduce(1, Math::multiplyExact)).sum();
    }

    private UNet2DConditionConfig read(String json) {
        return UNet2DConditionConfig.read(ConfigFolders.write(dir, "unet/config.json", json));
    }
}
