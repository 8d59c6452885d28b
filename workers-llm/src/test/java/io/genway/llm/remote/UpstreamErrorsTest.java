package io.genway.llm.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.worker.engine.EngineException;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

    @Test
    void readsTheErrorMessageOfEveryCommonServer() {
        assertThat(UpstreamErrors.message("{\"error\":{\"message\":\"openai style\"}}")).isEqualTo("openai style");
        assertThat(UpstreamErrors.message("{\"object\":\"error\",\"message\":\"vllm style\",\"code\":400}")).isEqualTo("vllm style");
        assertThat(UpstreamErrors.message("{\"error\":\"ollama style\"}")).isEqualTo("ollama style");
        assertThat(UpstreamErrors.message("Bad Gateway")).isEqualTo("Bad Gateway");
    }

    @Test
    void takesTimeoutsTooManyRequestsAndServerErrorsAsRetriable() {
        assertThat(UpstreamErrors.status(408, "")).isInstanceOf(EngineException.Retriable.class).extracting(EngineException::code).isEqualTo("upstream_timeout");
        assertThat(UpstreamErrors.status(429, "")).isInstanceOf(EngineException.Retriable.class).extracting(EngineException::code).isEqualTo("upstream_unavailable");
        assertThat(UpstreamErrors.status(502, "")).isInstanceOf(EngineException.Retriable.class).extracting(EngineException::code).isEqualTo("upstream_unavailable");
    }

    @Test
    void takesOtherClientErrorsAsFatal() {
        assertThat(UpstreamErrors.status(404, "{\"error\":{\"message\":\"The model `x` does not exist.\"}}"))
                .isInstanceOf(EngineException.Fatal.class)
                .hasMessage("The model `x` does not exist.");
        assertThat(UpstreamErrors.status(422, "")).isInstanceOf(EngineException.Fatal.class).hasMessageContaining("422");
    }
}
