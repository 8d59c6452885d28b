package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.genway.deploy.config.ConfigLoader;
import io.genway.deploy.config.GenwayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real model through the whole system: stories260K (from the shared folder, skipped without it) on the native
 * engine, behind Kafka and the gateway, must continue a prompt exactly as llama.cpp does greedily.
 */
class NativeModelTest {
    /** llama.cpp's greedy continuation of "Once upon a time" (32 tokens), from the shared reference. */
    private static final String LLAMA_CPP = ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw";

    @TempDir
    Path data;

    private static Path model() {
        String dir = System.getProperty("genway.shared.dir", System.getenv("GENWAY_SHARED_DIR"));
        Path model = dir == null ? null : Path.of(dir, "models", "stories260K.gguf");
        boolean present = model != null && Files.isRegularFile(model);
        if (!present) System.out.println("SKIPPED (needs ../shared): models/stories260K.gguf is missing, so the native-model test does not run");
        assumeTrue(present, "shared model stories260K.gguf is missing: skipping the native-model test");
        return model;
    }

    @Test
    void aGgufModelBehindTheGatewayContinuesAPromptAsLlamaCppDoes() throws Exception {
        Path model = model();
        GenwayConfig config = new ConfigLoader(Map.of(), data).parse("""
                broker: { data_dir: "%s" }
                gateway: { port: 0 }
                pools:
                  - { name: text, modality: text, models: [stories], engine: { type: native, model: "%s", slots: 2 } }
                """.formatted(data.resolve("genway").toString().replace("\\", "/"), model.toString().replace("\\", "/")), "test", List.of());
        try (Running running = Roles.forThisProcess(config).standalone(new Running())) {
            int port = running.gateway().orElseThrow().port();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"stories","prompt":"Once upon a time","max_tokens":32,"temperature":0}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(new io.vertx.core.json.JsonObject(response.body()).getJsonArray("choices").getJsonObject(0).getString("text"))
                    .isEqualTo(LLAMA_CPP);
        }
    }
}
