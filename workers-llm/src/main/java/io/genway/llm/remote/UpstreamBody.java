package io.genway.llm.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** The OpenAI request a genway text request becomes: which endpoint, and the streaming JSON body. */
final class UpstreamBody {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private UpstreamBody() {
    }

    /** {@code {base}/v1/chat/completions} or {@code {base}/v1/completions}, taking a base that already ends in /v1. */
    static URI endpoint(URI baseUrl, RequestKind kind) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        String v1 = base.endsWith("/v1") ? base : base + "/v1";
        return URI.create(v1 + (kind == RequestKind.CHAT ? "/chat/completions" : "/completions"));
    }

    static byte[] json(GenerationRequest request, String upstreamModel) {
        TextInput input = request.text();
        SamplingParams sampling = input.sampling();
        ObjectNode body = MAPPER.createObjectNode();
        body.put("model", upstreamModel);
        if (request.kind() == RequestKind.CHAT) {
            ArrayNode messages = body.putArray("messages");
            for (ChatMessage m : input.messages()) messages.addObject().put("role", m.role()).put("content", m.content());
        } else {
            body.put("prompt", input.prompt());
        }
        body.put("stream", true);
        // Without it an upstream reports no token counts on a stream; with it, one last chunk carries them.
        body.putObject("stream_options").put("include_usage", true);
        body.put("max_tokens", sampling.maxTokens());
        body.put("temperature", sampling.temperature());
        body.put("top_p", sampling.topP());
        body.put("frequency_penalty", sampling.frequencyPenalty());
        body.put("presence_penalty", sampling.presencePenalty());
        // vLLM's and llama.cpp's extensions, sent only when asked for: OpenAI itself refuses unknown fields
        if (sampling.topK() > 0) body.put("top_k", sampling.topK());
        if (sampling.minP() > 0) body.put("min_p", sampling.minP());
        if (sampling.repetitionPenalty() != 1) body.put("repetition_penalty", sampling.repetitionPenalty());
        if (!sampling.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            sampling.stop().forEach(stop::add);
        }
        // The seed makes a retried attempt sample the same stream on upstreams that honour it (vLLM, llama.cpp).
        body.put("seed", request.seed());
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
