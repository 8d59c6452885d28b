package io.genway.llm.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.schemas.FinishReason;
import io.genway.schemas.RequestKind;
import io.genway.schemas.Usage;
import io.genway.worker.engine.EngineException;
import java.io.IOException;

/**
 * Reads an OpenAI streaming response one server-sent-events line at a time and keeps what the stream has said
 * about its end (finish reason, usage). One reader thread owns it.
 *
 * <p>Each {@code data:} line is taken as a whole event rather than joining multi-line data until a blank line as
 * the SSE specification allows: OpenAI-compatible servers (vLLM, llama.cpp, Ollama, TGI) put one JSON chunk on one
 * line, and some of them omit the blank line between events.
 */
final class ChunkStream {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DONE = "[DONE]";

    private final RequestKind kind;
    private FinishReason finishReason;
    private Usage usage;
    private boolean done;
    private String heldBack = "";

    ChunkStream(RequestKind kind) {
        this.kind = kind;
    }

    /**
     * Takes one line of the response and returns the text it carries, "" when none.
     *
     * @throws EngineException when the line is not a chunk ({@code upstream_protocol}) or the upstream reports an
     *                         error in the stream
     */
    String accept(String line) {
        if (done || !line.startsWith("data:")) return ""; // blank lines, comments, event:, id:, retry:
        String data = line.substring(line.startsWith("data: ") ? 6 : 5).strip();
        if (data.isEmpty()) return "";
        if (data.equals(DONE)) {
            done = true;
            return "";
        }
        JsonNode chunk;
        try {
            chunk = MAPPER.readTree(data);
        } catch (IOException e) {
            throw new EngineException.Retriable("upstream_protocol", "upstream sent a chunk that is not JSON: " + UpstreamErrors.clip(data), e);
        }
        if (!chunk.isObject()) throw new EngineException.Retriable("upstream_protocol", "upstream sent a chunk that is not an object: " + UpstreamErrors.clip(data), null);
        if (chunk.hasNonNull("error")) throw UpstreamErrors.inStream(chunk);
        readUsage(chunk.path("usage"));
        JsonNode choice = chunk.path("choices").path(0);
        String reason = choice.path("finish_reason").textValue();
        if (reason != null) finishReason = finishReason(reason);
        JsonNode text = kind == RequestKind.CHAT ? choice.path("delta").path("content") : choice.path("text");
        return wholeCharacters(text.isTextual() ? text.textValue() : "");
    }

    /** True once the upstream sent {@code [DONE]}: nothing after it is read. */
    boolean done() {
        return done;
    }

    /** True once the upstream said it is finished ({@code [DONE]} or a finish reason): a closed stream is then no loss. */
    boolean finished() {
        return done || finishReason != null;
    }

    /** Text held back from the last chunk (half a surrogate pair that never got its other half). */
    String rest() {
        String rest = heldBack.isEmpty() ? "" : "\uFFFD";
        heldBack = "";
        return rest;
    }

    FinishReason finishReason() {
        return finishReason == null ? FinishReason.STOP : finishReason;
    }

    /** The upstream's counts, or the chunks we emitted when it sent none (an upstream that ignores include_usage). */
    Usage usage(int chunksEmitted) {
        return usage != null ? usage : new Usage(0, chunksEmitted);
    }

    private void readUsage(JsonNode node) {
        if (!node.isObject()) return;
        usage = new Usage(Math.max(0, node.path("prompt_tokens").asInt(0)), Math.max(0, node.path("completion_tokens").asInt(0)));
    }

    private static FinishReason finishReason(String wire) {
        return switch (wire) {
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            // "stop", "eos", "tool_calls" and vendor reasons all mean the model ended its answer itself.
            default -> FinishReason.STOP;
        };
    }

    /** Output takes whole characters only, so a high surrogate that ends a chunk waits for its pair. */
    private String wholeCharacters(String text) {
        String all = heldBack + text;
        if (!all.isEmpty() && Character.isHighSurrogate(all.charAt(all.length() - 1))) {
            heldBack = all.substring(all.length() - 1);
            return all.substring(0, all.length() - 1);
        }
        heldBack = "";
        return all;
    }
}
