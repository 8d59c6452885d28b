package io.genway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTP request schemas in {@code schemas} describe what the gateway's parsing ({@link Calls}) accepts: the
 * README's example bodies pass both, and bodies the gateway turns away are turned away by the schema too.
 */
class HttpSchemasTest {
    private static final String BASE = "https://genway.example/schemas/";
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(BASE, "classpath:io/genway/schemas/json/")));
    private static final Map<String, String> SCHEMA_OF = Map.of(
            "/v1/chat/completions", "http/chat-completion.request.schema.json",
            "/v1/completions", "http/completion.request.schema.json",
            "/v1/images/generations", "http/image-generation.request.schema.json",
            "/v1/jobs", "http/job.request.schema.json");
    private static final Map<String, Function<JsonObject, ?>> GATEWAY_OF = Map.of(
            "/v1/chat/completions", body -> Calls.chat(body, null),
            "/v1/completions", body -> Calls.completion(body, null),
            "/v1/images/generations", body -> Calls.image(body, null),
            "/v1/jobs", body -> switch (body.getString("type", "chat")) {
                case "image" -> Calls.image(body, null);
                case "completion" -> Calls.completion(body, null);
                default -> Calls.chat(body, null);
            });

    @Test
    void theReadmesExampleBodiesSatisfyTheirEndpointsSchemaAndTheGateway() throws IOException {
        Path readme = Path.of("..", "README.md");
        Matcher curl = Pattern.compile("curl [^\\n]*?(/v1/[a-z/]+)[^\\n]*?-d '(\\{.*?})'", Pattern.DOTALL)
                .matcher(Files.readString(readme));
        List<String> seen = new ArrayList<>();
        while (curl.find()) {
            String endpoint = curl.group(1);
            String body = curl.group(2);
            seen.add(endpoint);
            assertThat(errors(SCHEMA_OF.get(endpoint), body)).as("README's %s body %s", endpoint, body).isEmpty();
            GATEWAY_OF.get(endpoint).apply(new JsonObject(body));
        }
        assertThat(seen).as("endpoints with an example body in README.md")
                .contains("/v1/chat/completions", "/v1/images/generations", "/v1/jobs");
    }

    @Test
    void bodiesTheGatewayRejectsTheSchemaRejectsNamingTheSameField() {
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"temperature":2.5}""", "temperature");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"top_p":0}""", "top_p");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"repetition_penalty":0}""", "repetition_penalty");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}""", "stop");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"n":2}""", "n");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}""", "stream");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[{"role":"robot","content":"hi"}]}""", "role");
        rejectedByBoth("/v1/chat/completions", """
                {"messages":[]}""", "messages");
        rejectedByBoth("/v1/completions", """
                {"model":"m","max_tokens":0,"prompt":"hi"}""", "max_tokens");
        rejectedByBoth("/v1/completions", """
                {"model":"m"}""", "prompt");
        rejectedByBoth("/v1/images/generations", """
                {"prompt":"a cat","size":"500x500"}""", "size");
        rejectedByBoth("/v1/images/generations", """
                {"prompt":"a cat","size":"4096x4096"}""", "size");
        rejectedByBoth("/v1/images/generations", """
                {"prompt":"a cat","n":9}""", "n");
        rejectedByBoth("/v1/images/generations", """
                {"prompt":"a cat","response_format":"png"}""", "response_format");
        rejectedByBoth("/v1/images/generations", """
                {"prompt":"a cat","steps":501}""", "steps");
    }

    @Test
    void theSizePatternAcceptsExactlyTheSizesTheGatewayAccepts() {
        List<String> disagreements = new ArrayList<>();
        for (int side = 0; side <= 2100; side++) {
            for (String size : List.of(side + "x64", "64x" + side)) {
                String body = new JsonObject().put("prompt", "a cat").put("size", size).encode();
                boolean gateway = catchThrowable(() -> Calls.image(new JsonObject(body), null)) == null;
                boolean schema = errors(SCHEMA_OF.get("/v1/images/generations"), body).isEmpty();
                if (gateway != schema) disagreements.add(size + ": gateway " + gateway + ", schema " + schema);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void previewsNeedOneImageEverywhereAndAStreamOnTheImageEndpointOnly() {
        String previews = """
                {"prompt":"a cat","partial_images":2}""";
        assertThat(errors(SCHEMA_OF.get("/v1/images/generations"), previews)).anySatisfy(e -> assertThat(e).contains("stream"));
        assertThat(errors(SCHEMA_OF.get("/v1/jobs"), "{\"type\":\"image\"," + previews.substring(1))).isEmpty();
        assertThat(errors(SCHEMA_OF.get("/v1/jobs"), """
                {"type":"image","prompt":"a cat","partial_images":2,"n":2}""")).anySatisfy(e -> assertThat(e).contains("/n"));
        assertThatThrownBy(() -> Calls.image(new JsonObject("{\"prompt\":\"a cat\",\"partial_images\":2,\"n\":2}"), null))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("partial_images"));
    }

    @Test
    void aJobNamesItsTypeOrCarriesMessagesAndIsNeverStreamed() {
        String jobs = SCHEMA_OF.get("/v1/jobs");
        assertThat(errors(jobs, """
                {"messages":[{"role":"user","content":"hi"}]}""")).isEmpty();
        assertThat(errors(jobs, """
                {"type":"Completion","prompt":"Once upon a time"}""")).isEmpty();
        assertThat(errors(jobs, """
                {"prompt":"Once upon a time"}""")).isNotEmpty();
        assertThat(errors(jobs, """
                {"type":"video","prompt":"a cat"}""")).anySatisfy(e -> assertThat(e).contains("type"));
        assertThat(errors(jobs, """
                {"type":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}""")).anySatisfy(e -> assertThat(e).contains("stream"));
        assertThat(errors(jobs, """
                {"type":"completion","prompt":"hi","temperature":3}""")).anySatisfy(e -> assertThat(e).contains("temperature"));
    }

    @Test
    void theGatewaysErrorBodiesSatisfyTheErrorSchema() {
        for (ApiError error : List.of(ApiError.invalid("temperature", "'temperature' must be between 0 and 2."),
                ApiError.unauthorized(), ApiError.backlogFull("llm-small", 3), ApiError.server("boom"))) {
            assertThat(errors("http/error.schema.json", error.body().encode())).as(error.body().encode()).isEmpty();
        }
        assertThat(errors("http/error.schema.json", "{\"error\":{\"message\":\"m\"}}")).anySatisfy(e -> assertThat(e).contains("type"));
    }

    private static void rejectedByBoth(String endpoint, String body, String field) {
        Throwable gateway = catchThrowable(() -> GATEWAY_OF.get(endpoint).apply(new JsonObject(body)));
        assertThat(gateway).as("the gateway's answer to %s", body).isInstanceOf(ApiError.class);
        assertThat(((ApiError) gateway).param()).as("the field the gateway names for %s", body).contains(field);
        assertThat(errors(SCHEMA_OF.get(endpoint), body)).as("the schema's errors for %s", body)
                .isNotEmpty().anySatisfy(e -> assertThat(e).contains(field));
    }

    private static List<String> errors(String file, String json) {
        Schema schema = REGISTRY.getSchema(SchemaLocation.of(BASE + file));
        return schema.validate(json, InputFormat.JSON).stream()
                .map(e -> e.getInstanceLocation() + " " + e.getKeyword() + ": " + e.getMessage()).toList();
    }
}
