package io.genway.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A message that breaks the contract is rejected, and the error names the offending field. */
class InvalidMessagesTest {
    private static final String REQUEST = "kafka/generation-request.schema.json";
    private static final String CHAT = """
            {"request_id":"c-1","kind":"CHAT","pool":"llm","model":"m","seed":1,
             "text":{"messages":[{"role":"user","content":"hi"}],"sampling":{"max_tokens":16,"temperature":%s,"top_p":%s}}}""";
    private static final String IMAGE = """
            {"request_id":"i-1","kind":"IMAGE","pool":"d","model":"m","seed":1,
             "image":{"prompt":"a cat","n":%s,"width":%s,"height":64,"steps":20,"guidance_scale":7.5,"partial_images":%s}}""";

    @Test
    void rejectsAWrongTypeNamingTheField() {
        assertOneErrorNaming(WireSchemas.errors(REQUEST, CHAT.formatted("\"hot\"", "1")), "temperature");
        assertOneErrorNaming(WireSchemas.errors("kafka/cancel.schema.json", """
                {"request_id":17}"""), "request_id");
    }

    @Test
    void rejectsSamplingOutOfRangeNamingTheField() {
        assertOneErrorNaming(WireSchemas.errors(REQUEST, CHAT.formatted("2.5", "1")), "temperature");
        assertOneErrorNaming(WireSchemas.errors(REQUEST, CHAT.formatted("1", "0")), "top_p");
    }

    @Test
    void rejectsImageSizesTheRecordRejectsNamingTheField() {
        assertOneErrorNaming(WireSchemas.errors(REQUEST, IMAGE.formatted("1", "100", "0")), "width");
        assertOneErrorNaming(WireSchemas.errors(REQUEST, IMAGE.formatted("1", "4096", "0")), "width");
        assertOneErrorNaming(WireSchemas.errors(REQUEST, IMAGE.formatted("9", "64", "0")), "n");
    }

    @Test
    void rejectsPreviewsOfMoreThanOneImageNamingN() {
        assertThat(WireSchemas.errors(REQUEST, IMAGE.formatted("2", "64", "1"))).anySatisfy(e -> assertThat(e).contains("/image/n"));
    }

    @Test
    void rejectsAMissingRequiredFieldNamingIt() {
        assertOneErrorNaming(WireSchemas.errors(REQUEST, """
                {"kind":"CHAT","pool":"llm","model":"m","text":{"prompt":"hi","sampling":{"max_tokens":1,"top_p":1}}}"""), "request_id");
        assertOneErrorNaming(WireSchemas.errors("kafka/job-state.schema.json", """
                {"job_id":"j-1"}"""), "status");
    }

    @Test
    void rejectsATextRequestWithoutTextAndAnImageRequestWithoutImage() {
        assertThat(WireSchemas.errors(REQUEST, """
                {"request_id":"c-1","kind":"COMPLETION","pool":"llm","model":"m"}""")).anySatisfy(e -> assertThat(e).contains("text"));
        assertThat(WireSchemas.errors(REQUEST, """
                {"request_id":"i-1","kind":"IMAGE","pool":"d","model":"m"}""")).anySatisfy(e -> assertThat(e).contains("image"));
    }

    @Test
    void rejectsTextInputWithBothMessagesAndPrompt() {
        assertThat(WireSchemas.errors(REQUEST, """
                {"request_id":"c-1","kind":"CHAT","pool":"llm","model":"m",
                 "text":{"prompt":"hi","messages":[{"role":"user","content":"hi"}],"sampling":{"max_tokens":1,"top_p":1}}}"""))
                .anySatisfy(e -> assertThat(e).contains("/text"));
    }

    @Test
    void rejectsAnEventOfAnUnknownTypeOrAVariantMissingItsFieldsTypes() {
        assertThat(WireSchemas.errors("kafka/stream-event.schema.json", """
                {"type":"paused","request_id":"c-1"}""")).anySatisfy(e -> assertThat(e).contains("type"));
        assertOneErrorNaming(WireSchemas.errors("kafka/stream-event.schema.json", """
                {"type":"completed","request_id":"c-1","finish_reason":"done"}"""), "finish_reason");
        assertOneErrorNaming(WireSchemas.errors("kafka/stream-event.schema.json", """
                {"type":"tokens","request_id":"c-1","ids":["a"]}"""), "ids");
    }

    private static void assertOneErrorNaming(List<String> errors, String field) {
        assertThat(errors).as("errors").isNotEmpty().allSatisfy(e -> assertThat(e).contains(field));
    }
}
