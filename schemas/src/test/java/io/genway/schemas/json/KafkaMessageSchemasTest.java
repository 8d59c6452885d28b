package io.genway.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.FinishReason;
import io.genway.schemas.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message, as {@code Json.write} puts it on its topic, satisfies its topic's schema. */
class KafkaMessageSchemasTest {

    static List<Examples.Example> examples() {
        return Examples.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyMessageAsWrittenValidatesAgainstItsSchema(Examples.Example example) {
        assertThat(WireSchemas.errorsOf(example.schema(), example.message())).isEmpty();
    }

    @Test
    void aTextJobsResultAsTheWorkerWritesItValidates() {
        // the body workers-core's RequestRun stores on results for a text job
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", "there was a little cat who liked boxes.");
        body.put("finish_reason", FinishReason.STOP.wire());
        body.put("usage", new Usage(9, 12));
        assertThat(WireSchemas.errorsOf("kafka/text-result.schema.json", body)).isEmpty();
    }

    @Test
    void recordsWrittenBeforeTheOptionalFieldsExistedStillValidate() {
        // no partial_images, no top_k/min_p/repetition_penalty, no origin, no events position: what older writers sent
        String oldImage = """
                {"request_id":"img-1","kind":"IMAGE","job":true,"pool":"d","model":"m","seed":7,"created_at_ms":1,
                 "image":{"prompt":"a red circle","negative_prompt":"","n":2,"width":64,"height":32,"steps":10,"guidance_scale":7.5}}""";
        String oldChat = """
                {"request_id":"c-1","kind":"CHAT","pool":"llm","model":"m","seed":1,
                 "text":{"messages":[{"role":"user","content":"hi"}],
                         "sampling":{"max_tokens":16,"temperature":1.0,"top_p":1.0,"frequency_penalty":0.0,"presence_penalty":0.0,"stop":[]}}}""";
        String oldQueued = """
                {"type":"queued","request_id":"c-1","attempt":0,"seq":0,"at_ms":1,"position":0,"eta_ms":0}""";
        assertThat(WireSchemas.errors("kafka/generation-request.schema.json", oldImage)).isEmpty();
        assertThat(WireSchemas.errors("kafka/generation-request.schema.json", oldChat)).isEmpty();
        assertThat(WireSchemas.errors("kafka/stream-event.schema.json", oldQueued)).isEmpty();
    }

    @Test
    void aNewerWritersExtraFieldsAreAllowedAsTheReadersIgnoreThem() {
        String newer = """
                {"request_id":"c-1","reason":"client disconnected","at_ms":5,"priority":"high"}""";
        assertThat(WireSchemas.errors("kafka/cancel.schema.json", newer)).isEmpty();
    }
}
