package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.diffusion.PromptScene.Shape;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PromptSceneTest {
    private static final int RED = PromptScene.COLOURS.get("red");
    private static final int BLUE = PromptScene.COLOURS.get("blue");
    private static final int YELLOW = PromptScene.COLOURS.get("yellow");
    private static final int WHITE = PromptScene.COLOURS.get("white");

    @Test
    void takesTheShapeAndBothColoursFromThePrompt() {
        assertThat(read("a red circle on a blue background")).isEqualTo(new PromptScene(Shape.CIRCLE, RED, BLUE));
        assertThat(read("Blue background with a yellow triangle")).isEqualTo(new PromptScene(Shape.TRIANGLE, YELLOW, BLUE));
        assertThat(read("a red square on white")).isEqualTo(new PromptScene(Shape.SQUARE, RED, WHITE));
        assertThat(read("red and blue")).isEqualTo(new PromptScene(Shape.CIRCLE, RED, BLUE));
    }

    @Test
    void drawsTheColoursAPromptLeavesOpenFromTheSeed() {
        Set<Integer> backgrounds = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            PromptScene scene = PromptScene.read("a red circle", "", new SplittableRandom(seed));
            assertThat(scene.foreground()).isEqualTo(RED);
            assertThat(scene.background()).isNotEqualTo(RED);
            backgrounds.add(scene.background());
        }
        assertThat(backgrounds).hasSizeGreaterThan(5);
    }

    @Test
    void neverDrawsAColourTheNegativePromptNames() {
        for (long seed = 0; seed < 50; seed++) {
            PromptScene scene = PromptScene.read("a circle", "blue, yellow", new SplittableRandom(seed));
            assertThat(scene.foreground()).isNotIn(BLUE, YELLOW);
            assertThat(scene.background()).isNotIn(BLUE, YELLOW).isNotEqualTo(scene.foreground());
        }
    }

    private static PromptScene read(String prompt) {
        return PromptScene.read(prompt, "", new SplittableRandom(1));
    }
}
