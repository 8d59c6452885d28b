package io.genway.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.genway.schemas.Cancel;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Heartbeat;
import io.genway.schemas.ImageInput;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.RequestKind;
import io.genway.schemas.ResultRef;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.StreamOrigin;
import io.genway.schemas.TextInput;
import io.genway.schemas.Timings;
import io.genway.schemas.Usage;
import io.genway.schemas.WorkerProfile;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schemas and the records cannot drift apart: a record field added, renamed or dropped without the same change
 * to its schema fails here, naming the field.
 */
class SchemaDriftTest {
    private static final PropertyNamingStrategies.NamingBase SNAKE = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    /** Each record on the wire and the schema file that describes it. */
    static Stream<Map.Entry<String, Class<? extends Record>>> records() {
        Map<String, Class<? extends Record>> files = new LinkedHashMap<>();
        files.put("kafka/generation-request.schema.json", GenerationRequest.class);
        files.put("kafka/text-input.schema.json", TextInput.class);
        files.put("kafka/sampling-params.schema.json", SamplingParams.class);
        files.put("kafka/chat-message.schema.json", ChatMessage.class);
        files.put("kafka/image-input.schema.json", ImageInput.class);
        files.put("kafka/events-position.schema.json", EventsPosition.class);
        files.put("kafka/stream-origin.schema.json", StreamOrigin.class);
        files.put("kafka/error-info.schema.json", ErrorInfo.class);
        files.put("kafka/usage.schema.json", Usage.class);
        files.put("kafka/timings.schema.json", Timings.class);
        files.put("kafka/result-ref.schema.json", ResultRef.class);
        files.put("kafka/worker-profile.schema.json", WorkerProfile.class);
        files.put("kafka/job-state.schema.json", JobState.class);
        files.put("kafka/cancel.schema.json", Cancel.class);
        files.put("kafka/heartbeat.schema.json", Heartbeat.class);
        for (JsonSubTypes.Type type : StreamEvent.class.getAnnotation(JsonSubTypes.class).value()) {
            @SuppressWarnings("unchecked")
            Class<? extends Record> variant = (Class<? extends Record>) type.value();
            files.put(Examples.variantSchema(type.name()), variant);
        }
        return files.entrySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void aSchemaDeclaresExactlyItsRecordsFieldsInSnakeCase(Map.Entry<String, Class<? extends Record>> pair) {
        Class<? extends Record> type = pair.getValue();
        List<String> expected = new ArrayList<>(Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getName).map(SNAKE::translate).toList());
        if (StreamEvent.class.isAssignableFrom(type)) expected.add("type");
        assertThat(propertyNames(WireSchemas.tree(pair.getKey())))
                .as("properties of %s against the components of %s", pair.getKey(), type.getSimpleName())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyStreamEventVariantIsOneTheWireNamesAndTheEventsSchemaLists() {
        Set<String> wireNames = Arrays.stream(StreamEvent.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).collect(Collectors.toCollection(TreeSet::new));
        Set<Class<?>> named = Arrays.stream(StreamEvent.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value).collect(Collectors.toSet());
        assertThat(named).as("StreamEvent's variants with a wire name").containsExactlyInAnyOrder(StreamEvent.class.getPermittedSubclasses());
        assertThat(texts(WireSchemas.tree("kafka/stream-event.schema.json").at("/properties/type/enum")))
                .as("the type names stream-event.schema.json accepts").containsExactlyInAnyOrderElementsOf(wireNames);
        assertThat(Examples.EVENTS.stream().map(io.genway.schemas.EventHeaders::typeOf).collect(Collectors.toSet()))
                .as("EventHeaders' genway.type values, which the schemas say repeat the JSON type").isEqualTo(wireNames);
    }

    @Test
    void enumsListExactlyTheValuesJsonWrites() {
        assertEnum("kafka/generation-request.schema.json", "/properties/kind/enum", RequestKind.values());
        assertEnum("kafka/stream-origin.schema.json", "/properties/kind/enum", RequestKind.values());
        assertEnum("kafka/job-state.schema.json", "/properties/kind/enum", RequestKind.values());
        assertEnum("kafka/job-state.schema.json", "/properties/status/enum", JobStatus.values());
        assertEnum("kafka/job-state.schema.json", "/properties/finish_reason/enum", FinishReason.values());
        assertEnum("kafka/events/completed.schema.json", "/properties/finish_reason/enum", FinishReason.values());
        assertEnum("kafka/text-result.schema.json", "/properties/finish_reason/enum", FinishReason.values());
        assertEnum("kafka/heartbeat.schema.json", "/properties/modality/enum", Modality.values());
    }

    @Test
    void theLimitsTheSchemasStateAreTheRecordsConstants() {
        JsonNode image = WireSchemas.tree("kafka/image-input.schema.json").get("properties");
        assertThat(image.at("/n/maximum").asInt()).isEqualTo(ImageInput.MAX_N);
        assertThat(image.at("/width/maximum").asInt()).isEqualTo(ImageInput.MAX_SIDE);
        assertThat(image.at("/height/maximum").asInt()).isEqualTo(ImageInput.MAX_SIDE);
        assertThat(image.at("/steps/maximum").asInt()).isEqualTo(ImageInput.MAX_STEPS);
        assertThat(image.at("/partial_images/maximum").asInt()).isEqualTo(ImageInput.MAX_PARTIAL_IMAGES);
        JsonNode sampling = WireSchemas.tree("kafka/sampling-params.schema.json").get("properties");
        assertThat(sampling.at("/stop/maxItems").asInt()).isEqualTo(SamplingParams.MAX_STOP_SEQUENCES);
        assertThat(sampling.at("/repetition_penalty/maximum").asDouble()).isEqualTo(SamplingParams.MAX_REPETITION_PENALTY);
    }

    private static void assertEnum(String file, String pointer, Enum<?>[] values) {
        List<String> written = Arrays.stream(values).map(v -> Json.mapper().valueToTree(v).asText()).toList();
        assertThat(texts(WireSchemas.tree(file).at(pointer))).as("%s %s", file, pointer).containsExactlyInAnyOrderElementsOf(written);
    }

    private static List<String> propertyNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
