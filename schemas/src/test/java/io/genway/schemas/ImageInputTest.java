package io.genway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageInputTest {

    @Test
    void aRecordWrittenBeforePartialImagesExistedDecodesWithoutPreviews() {
        byte[] old = """
                {"prompt":"a red circle","negative_prompt":"","n":2,"width":64,"height":32,"steps":10,"guidance_scale":7.5}
                """.getBytes(StandardCharsets.UTF_8);
        ImageInput input = Json.read(old, ImageInput.class);
        assertThat(input).isEqualTo(new ImageInput("a red circle", "", 2, 64, 32, 10, 7.5));
        assertThat(input.partialImages()).isZero();
    }

    @Test
    void partialImagesSurviveTheWire() {
        ImageInput input = new ImageInput("a cat", "dog", 1, 32, 32, 20, 5, 2);
        String json = new String(Json.write(input), StandardCharsets.UTF_8);
        assertThat(json).contains("\"partial_images\":2");
        assertThat(Json.read(json.getBytes(StandardCharsets.UTF_8), ImageInput.class)).isEqualTo(input);
    }

    @Test
    void rejectsPartialImagesOutOfRangeNamingTheField() {
        assertThatThrownBy(() -> new ImageInput("a", "", 1, 8, 8, 4, 1, 4)).hasMessageContaining("partial_images");
        assertThatThrownBy(() -> new ImageInput("a", "", 1, 8, 8, 4, 1, -1)).hasMessageContaining("partial_images");
    }

    @Test
    void rejectsPartialImagesForMoreThanOneImage() {
        assertThatThrownBy(() -> new ImageInput("a", "", 2, 8, 8, 4, 1, 1)).hasMessageContaining("partial_images");
    }
}
