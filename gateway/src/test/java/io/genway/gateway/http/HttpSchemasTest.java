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

    /** A body using every field, and values to put in each field's place: numbers around every bound, other types. */
    private static final Map<String, String> FULL_BODY = Map.of(
            "/v1/chat/completions", """
                    {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"hi"}]},
                     {"role":"assistant","content":null}],"max_completion_tokens":16,"max_tokens":8,"temperature":0.7,"top_p":0.9,
                     "top_k":40,"min_p":0.05,"frequency_penalty":0.1,"presence_penalty":-0.1,"repetition_penalty":1.1,"stop":["x"],
                     "seed":42,"n":1,"logprobs":false,"stream":true,"stream_options":{"include_usage":true},"timeout":30,
                     "continue_on_disconnect":true,"user":"u-1"}""",
            "/v1/completions", """
                    {"model":"m","prompt":"Once upon a time","max_tokens":16,"temperature":0,"top_p":1,"top_k":-1,"min_p":0,
                     "frequency_penalty":0,"presence_penalty":0,"repetition_penalty":2,"stop":"\\n","seed":-7,"echo":false,
                     "suffix":null,"stream":false,"timeout":0.5}""",
            "/v1/images/generations", """
                    {"model":"m","prompt":"a red circle","n":1,"size":"64x128","response_format":"b64_json","steps":20,
                     "guidance_scale":7.5,"negative_prompt":"blurry","seed":7,"stream":true,"partial_images":2,"timeout":60}""");
    private static final List<Object> VALUES = List.of(-3, -2, -1, -0.5, 0, 0.0005, 0.001, 0.5, 1, 1.5, 2, 2.5, 3, 8, 9, 50, 50.5,
            128, 129, 500, 501, 4000, 86_400, 86_401, 2_147_483_647, 2_147_483_648L, "x", "", " ", "64x64", "url", true, false,
            new io.vertx.core.json.JsonArray(), new io.vertx.core.json.JsonArray().add("a"), new io.vertx.core.json.JsonArray().add("a").add("b"),
            new JsonObject(), new JsonObject().put("include_usage", false));

    @Test
    void everyFieldTakesExactlyTheValuesTheGatewayTakes() {
        List<String> disagreements = new ArrayList<>();
        FULL_BODY.forEach((endpoint, full) -> {
            JsonObject body = new JsonObject(full);
            assertThat(accepts(endpoint, body)).as("the gateway takes the full %s body", endpoint).isTrue();
            for (String field : body.fieldNames()) {
                List<Object> values = new ArrayList<>(VALUES);
                values.add(null);
                for (Object value : values) {
                    JsonObject changed = body.copy();
                    if (value == null) changed.putNull(field);
                    else changed.put(field, value);
                    boolean gateway = accepts(endpoint, changed);
                    boolean schema = errors(SCHEMA_OF.get(endpoint), changed.encode()).isEmpty();
                    if (gateway != schema) disagreements.add(endpoint + " " + field + " = " + value + ": gateway " + gateway + ", schema " + schema);
                }
                JsonObject without = body.copy();
                without.remove(field);
                if (accepts(endpoint, without) != errors(SCHEMA_OF.get(endpoint), without.encode()).isEmpty()) {
                    disagreements.add(endpoint + " without " + field);
                }
            }
        });
        assertThat(disagreements).isEmpty();
    }

    @Test
    void everyMessageFieldTakesExactlyTheValuesTheGatewayTakes() {
        String chat = "/v1/chat/completions";
        JsonObject body = new JsonObject(FULL_BODY.get(chat));
        List<Object> values = new ArrayList<>(List.of("user", "assistant", "developer", "tool", "robot", "", 5, true,
                new io.vertx.core.json.JsonArray(), new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "text").put("text", "a")),
                new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "image_url").put("image_url", "u")),
                new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "text")), new JsonObject()));
        values.add(null);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < body.getJsonArray("messages").size(); i++) {
            for (String field : List.of("role", "content")) {
                List<JsonObject> changes = new ArrayList<>();
                for (Object value : values) {
                    JsonObject changed = body.copy();
                    JsonObject message = changed.getJsonArray("messages").getJsonObject(i);
                    if (value == null) message.putNull(field);
                    else message.put(field, value);
                    changes.add(changed);
                }
                JsonObject without = body.copy();
                without.getJsonArray("messages").getJsonObject(i).remove(field);
                changes.add(without);
                for (JsonObject changed : changes) {
                    boolean gateway = accepts(chat, changed);
                    if (gateway != errors(SCHEMA_OF.get(chat), changed.encode()).isEmpty()) {
                        disagreements.add("messages[" + i + "] " + changed.getJsonArray("messages").getJsonObject(i).encode() + ": gateway " + gateway);
                    }
                }
            }
        }
        assertThat(disagreements).isEmpty();
    }

    /** Whether the gateway takes the body; the image endpoint's own check (ImageApi.generate) comes after Calls'. */
    private static boolean accepts(String endpoint, JsonObject body) {
        try {
            Object call = GATEWAY_OF.get(endpoint).apply(body);
            return !(call instanceof Calls.Image image && endpoint.equals("/v1/images/generations") && image.partialImages() > 0 && !image.stream());
        } catch (ApiError e) {
            return false;
        }
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
