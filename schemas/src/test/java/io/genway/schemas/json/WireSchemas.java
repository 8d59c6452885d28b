package io.genway.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.genway.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The wire contract's JSON Schemas as a validator sees them: every {@code $id} under {@value #BASE} resolves to
 * the same file on the classpath, so {@code $ref}s between files never reach the network.
 */
final class WireSchemas {
    static final String BASE = "https://genway.example/schemas/";
    static final String FOLDER = "io/genway/schemas/json/";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(BASE, "classpath:" + FOLDER)));
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private WireSchemas() {
    }

    /** What {@code file} (relative to the schema folder, e.g. {@code kafka/cancel.schema.json}) finds wrong in {@code json}. */
    static List<String> errors(String file, String json) {
        Schema schema = SCHEMAS.computeIfAbsent(file, f -> REGISTRY.getSchema(SchemaLocation.of(BASE + f)));
        return schema.validate(json, InputFormat.JSON).stream().map(WireSchemas::describe).toList();
    }

    /** The errors for a message exactly as {@link Json#write} puts it on the wire. */
    static List<String> errorsOf(String file, Object message) {
        return errors(file, new String(Json.write(message), StandardCharsets.UTF_8));
    }

    /** The schema file itself, to read its declared properties. */
    static JsonNode tree(String file) {
        try (InputStream in = WireSchemas.class.getClassLoader().getResourceAsStream(FOLDER + file)) {
            if (in == null) throw new IllegalArgumentException("no schema file " + FOLDER + file);
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Error error) {
        return error.getInstanceLocation() + " " + error.getKeyword() + ": " + error.getMessage();
    }
}
