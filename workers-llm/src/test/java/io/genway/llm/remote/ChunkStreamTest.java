package io.genway.llm.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.schemas.FinishReason;
import io.genway.schemas.RequestKind;
import io.genway.worker.engine.EngineException;
import org.junit.jupiter.api.Test;

class ChunkStreamTest {

    @Test
    void holdsBackHalfASurrogatePairUntilItsOtherHalfArrives() {
        ChunkStream stream = new ChunkStream(RequestKind.CHAT);

        assertThat(stream.accept("data: " + FakeUpstream.Chunks.chat("hi \uD83D"))).isEqualTo("hi ");
        assertThat(stream.accept("data: " + FakeUpstream.Chunks.chat("\uDE00!"))).isEqualTo("\uD83D\uDE00!");
    }

    @Test
    void takesAnErrorChunkWithAClientErrorCodeAsFatal() {
        ChunkStream stream = new ChunkStream(RequestKind.CHAT);

        assertThatThrownBy(() -> stream.accept("data: {\"error\":{\"message\":\"prompt too long\",\"code\":400}}"))
                .isInstanceOfSatisfying(EngineException.Fatal.class, e -> assertThat(e.getMessage()).isEqualTo("prompt too long"));
    }

    @Test
    void takesAnErrorChunkWithoutAClientErrorCodeAsRetriable() {
        ChunkStream stream = new ChunkStream(RequestKind.CHAT);

        assertThatThrownBy(() -> stream.accept("data: {\"error\":\"engine died\"}"))
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.getMessage()).contains("engine died"));
    }

    @Test
    void mapsFinishReasonsOneToOneAndUnknownOnesToStop() {
        assertThat(finishOf("length")).isEqualTo(FinishReason.LENGTH);
        assertThat(finishOf("content_filter")).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(finishOf("stop")).isEqualTo(FinishReason.STOP);
        assertThat(finishOf("tool_calls")).isEqualTo(FinishReason.STOP);
    }

    private static FinishReason finishOf(String wire) {
        ChunkStream stream = new ChunkStream(RequestKind.CHAT);
        stream.accept("data: " + FakeUpstream.Chunks.chatEnd(wire));
        return stream.finishReason();
    }
}
