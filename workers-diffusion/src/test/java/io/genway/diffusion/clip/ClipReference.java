package io.genway.diffusion.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed outputs of src/test/python/clip_reference.py (transformers' CLIPTokenizer and CLIPTextModel). */
public final class ClipReference {
    private ClipReference() {}

    /** The small SD 1.x-layout tokenizer folder the script trained. */
    public static Path tokenizerFolder() {
        return resource("tokenizer");
    }

    static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(Files.readString(resource(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(ClipReference.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
