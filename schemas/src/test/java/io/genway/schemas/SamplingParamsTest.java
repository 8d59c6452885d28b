package io.genway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    @Test
    void travelsThroughJsonWithEveryField() {
        SamplingParams params = new SamplingParams(64, 0.7, 0.9, 40, 0.05, 0.5, -0.25, 1.1, List.of("\n"));

        String json = new String(Json.write(params), StandardCharsets.UTF_8);

        assertThat(json).contains("\"top_k\":40", "\"min_p\":0.05", "\"repetition_penalty\":1.1");
        assertThat(Json.read(Json.write(params), SamplingParams.class)).isEqualTo(params);
    }

    @Test
    void aRecordWrittenBeforeTheNewFieldsReadsAsNoTruncationAndNoRepetitionPenalty() {
        byte[] old = """
                {"max_tokens":16,"temperature":0.8,"top_p":1.0,"frequency_penalty":0.0,"presence_penalty":0.0,"stop":[]}
                """.getBytes(StandardCharsets.UTF_8);

        SamplingParams params = Json.read(old, SamplingParams.class);

        assertThat(params).isEqualTo(new SamplingParams(16, 0.8, 1.0, 0, 0, List.of()));
        assertThat(params.topK()).isZero();
        assertThat(params.minP()).isZero();
        assertThat(params.repetitionPenalty()).isEqualTo(1.0);
    }

    @Test
    void outOfRangeValuesNameTheirField() {
        assertThatThrownBy(() -> new SamplingParams(8, 1, 1, -1, 0, 0, 0, 1, List.of())).hasMessageContaining("top_k");
        assertThatThrownBy(() -> new SamplingParams(8, 1, 1, 0, 1.5, 0, 0, 1, List.of())).hasMessageContaining("min_p");
        assertThatThrownBy(() -> new SamplingParams(8, 1, 1, 0, 0, 0, 0, 2.5, List.of())).hasMessageContaining("repetition_penalty");
        assertThatThrownBy(() -> new SamplingParams(8, 1, 1, 0, 0, 0, 0, -1, List.of())).hasMessageContaining("repetition_penalty");
    }
}
