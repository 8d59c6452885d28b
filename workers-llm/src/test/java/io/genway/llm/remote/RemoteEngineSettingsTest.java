package io.genway.llm.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteEngineSettingsTest {
    private static final URI BASE = URI.create("http://vllm:8000");
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void rejectsABaseUrlThatIsNotAbsoluteHttp() {
        assertThatThrownBy(() -> new RemoteEngineSettings(URI.create("/v1"), null, null, 1, SECOND, SECOND))
                .hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> new RemoteEngineSettings(URI.create("ftp://host/"), null, null, 1, SECOND, SECOND))
                .hasMessageContaining("baseUrl");
    }

    @Test
    void rejectsFewerThanOneSlot() {
        assertThatThrownBy(() -> new RemoteEngineSettings(BASE, null, null, 0, SECOND, SECOND)).hasMessageContaining("slots");
    }

    @Test
    void rejectsTimeoutsThatAreNotPositive() {
        assertThatThrownBy(() -> new RemoteEngineSettings(BASE, null, null, 1, Duration.ZERO, SECOND)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new RemoteEngineSettings(BASE, null, null, 1, SECOND, Duration.ofMillis(-1))).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> new RemoteEngineSettings(BASE, null, null, 1, SECOND, null)).hasMessageContaining("idleTimeout");
    }

    @Test
    void mapsModelsItKnowsAndPassesOthersThrough() {
        var settings = new RemoteEngineSettings(BASE, null, Map.of("llama", "meta-llama/Llama-3.1-8B-Instruct"), 1, SECOND, SECOND);

        assertThat(settings.upstreamModel("llama")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(settings.upstreamModel("qwen")).isEqualTo("qwen");
    }

    @Test
    void keepsTheApiKeyOutOfItsStringForm() {
        var settings = new RemoteEngineSettings(BASE, "sk-secret", null, 1, SECOND, SECOND);

        assertThat(settings.toString()).doesNotContain("sk-secret");
    }

    @Test
    void appendsTheEndpointOnceWhetherOrNotTheBaseEndsInV1() {
        assertThat(UpstreamBody.endpoint(BASE, io.genway.schemas.RequestKind.CHAT)).hasToString("http://vllm:8000/v1/chat/completions");
        assertThat(UpstreamBody.endpoint(URI.create("http://vllm:8000/v1"), io.genway.schemas.RequestKind.CHAT)).hasToString("http://vllm:8000/v1/chat/completions");
        assertThat(UpstreamBody.endpoint(URI.create("http://host/ollama/v1/"), io.genway.schemas.RequestKind.COMPLETION)).hasToString("http://host/ollama/v1/completions");
    }
}
