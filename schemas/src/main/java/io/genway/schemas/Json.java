package io.genway.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one JSON mapping of every Kafka message: snake_case fields, nulls left out, unknown fields ignored so
 * that a newer writer can add fields without breaking older readers.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new SerializationException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : write(value);
    }

    public static <T> Deserializer<T> deserializer(Class<T> type) {
        return (topic, bytes) -> bytes == null ? null : read(bytes, type);
    }

    public static <T> Serde<T> serde(Class<T> type) {
        return Serdes.serdeFrom(serializer(), deserializer(type));
    }
}
