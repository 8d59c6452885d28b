package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.gguf.SharedModels;
import io.genway.schemas.Heartbeat;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.worker.PoolHarness;
import io.genway.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker's heartbeat carries the native engine's KV figures: bytes per token and the unreserved budget. */
class NativeHeartbeatTest {

    @Test
    void theHeartbeatReportsTheFreeKvBudgetAndTheKvBytesPerToken() {
        long budget = 64L << 20;
        try (PoolHarness pool = new PoolHarness(new PoolSpec("text", Modality.TEXT, List.of("stories260K"), 100, 512));
             LlamaEngine engine = new LlamaEngine(new LlamaEngineSettings(SharedModels.stories260K(), List.of("stories260K"), 4, 0, budget, 64, Activations.F32))) {
            Worker worker = pool.startWorker("w1", engine);

            Heartbeat beat = worker.heartbeat();

            // stories260K: 5 layers, 4 KV heads of 8, floats: 2 * 5 * 4 * 8 * 4
            assertThat(beat.kvBytesPerToken()).isEqualTo(1280);
            long blockBytes = 16 * 1280;
            assertThat(beat.freeMemoryBytes()).isEqualTo(budget / blockBytes * blockBytes);
            String json = new String(Json.write(beat), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"kv_bytes_per_token\":1280").contains("\"free_memory_bytes\":" + beat.freeMemoryBytes());
        }
    }
}
