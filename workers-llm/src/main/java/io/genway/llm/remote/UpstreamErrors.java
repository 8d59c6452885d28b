package io.genway.llm.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.worker.engine.EngineException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What an upstream failure means for a retry. The upstream's own word decides: 408, 429 and 5xx say "not now",
 * which another attempt may get past; any other 4xx says the request itself is wrong, which no retry changes.
 */
final class UpstreamErrors {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CLIP = 500;

    private UpstreamErrors() {
    }

    /** An answer other than 200; {@code body} is what the upstream sent with it (an OpenAI error, or anything). */
    static EngineException status(int status, String body) {
        String said = message(body);
        String detail = "upstream answered " + status + (said.isEmpty() ? "" : ": " + said);
        if (status == 408) return new EngineException.Retriable("upstream_timeout", detail, null);
        if (status == 429 || status >= 500) return new EngineException.Retriable("upstream_unavailable", detail, null);
        if (status >= 400) return new EngineException.Fatal("upstream_rejected", said.isEmpty() ? detail : said, null);
        return new EngineException.Retriable("upstream_protocol", detail + " (expected 200 and an event stream)", null);
    }

    /** An error an upstream sent as a stream chunk after it had answered 200 (vLLM and llama.cpp do). */
    static EngineException inStream(JsonNode chunk) {
        JsonNode error = chunk.path("error");
        String said = error.isTextual() ? error.textValue() : error.path("message").asText("");
        int code = error.path("code").asInt(0);
        if (code >= 400 && code < 500 && code != 408 && code != 429) return new EngineException.Fatal("upstream_rejected", said, null);
        return new EngineException.Retriable("upstream_unavailable", "upstream failed mid-stream: " + clip(said), null);
    }

    /** A failure of the exchange itself (connect, send, read), unwrapped from the future that carried it. */
    static Throwable exchange(Throwable failure, URI endpoint) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException) {
            return new EngineException.Retriable("upstream_timeout", "upstream at " + endpoint + " timed out: " + cause.getMessage(), cause);
        }
        if (cause instanceof IOException) {
            String what = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new EngineException.Retriable("upstream_unavailable", "exchange with upstream at " + endpoint + " failed: " + what, cause);
        }
        return cause;
    }

    static EngineException idle(URI endpoint, Duration idleTimeout) {
        return new EngineException.Retriable("upstream_timeout", "upstream at " + endpoint + " sent nothing for " + idleTimeout, null);
    }

    /**
     * The message in an error body: OpenAI and llama.cpp nest it ({@code {"error":{"message":..}}}), vLLM puts it
     * at the top ({@code {"message":..}}), Ollama and TGI send {@code {"error":".."}}; anything else is shown clipped.
     */
    static String message(String body) {
        if (body == null || body.isBlank()) return "";
        try {
            JsonNode json = MAPPER.readTree(body);
            JsonNode error = json.path("error");
            if (error.isTextual()) return clip(error.textValue());
            if (error.path("message").isTextual()) return clip(error.path("message").textValue());
            if (json.path("message").isTextual()) return clip(json.path("message").textValue());
            if (json.path("detail").isTextual()) return clip(json.path("detail").textValue());
        } catch (IOException notJson) {
            // fall through: a proxy's HTML page or plain text
        }
        return clip(body.strip());
    }

    static String clip(String text) {
        return text.length() <= CLIP ? text : text.substring(0, CLIP) + "…";
    }
}
