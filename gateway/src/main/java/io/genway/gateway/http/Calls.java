package io.genway.gateway.http;

import io.genway.schemas.ChatMessage;
import io.genway.schemas.ImageInput;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a client asked for, read and range-checked from an OpenAI-shaped body. The model's pool is not known here;
 * checks that depend on it (the pool's {@code max_tokens} limit) happen after routing.
 */
final class Calls {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> RESPONSE_FORMATS = Set.of("url", "b64_json");
    static final int MAX_PROMPT_CHARS = 1_000_000;
    /** A request's timeout in seconds as a header, for clients that cannot change the body; the earlier one wins. */
    static final String TIMEOUT_HEADER = "X-Genway-Timeout";
    private static final double MAX_TIMEOUT_SECONDS = 86_400;

    private Calls() {
    }

    /** Shared by the chat and completions endpoints. {@code maxTokens} is null when the client gave none. */
    record Text(RequestKind kind, String model, List<ChatMessage> messages, String prompt, Integer maxTokens,
                double temperature, double topP, int topK, double minP, double frequencyPenalty, double presencePenalty,
                double repetitionPenalty, List<String> stop,
                Long seed, boolean stream, boolean includeUsage, Double timeoutSeconds, boolean continueOnDisconnect) {

        SamplingParams sampling(int maxTokensResolved) {
            return new SamplingParams(maxTokensResolved, temperature, topP, topK, minP, frequencyPenalty, presencePenalty,
                    repetitionPenalty, stop);
        }
    }

    /** {@code partialImages} is OpenAI's {@code partial_images}: previews while it renders (streams and jobs). */
    record Image(String model, String prompt, String negativePrompt, int n, int width, int height, int steps,
                 double guidanceScale, Long seed, String responseFormat, Double timeoutSeconds, boolean stream,
                 int partialImages) {
        ImageInput input() {
            return new ImageInput(prompt, negativePrompt, n, width, height, steps, guidanceScale, partialImages);
        }
    }

    /** A text request's size for the cost model: the tokens it may produce. */
    static int units(Text call) {
        return call.maxTokens() != null ? call.maxTokens() : TextApi.DEFAULT_MAX_TOKENS;
    }

    /** A request's size for the cost model: tokens it may produce, or denoising steps. */
    static int units(io.genway.schemas.GenerationRequest request) {
        return request.text() != null ? request.text().sampling().maxTokens() : request.image().steps();
    }

    static Text chat(JsonObject body, String timeoutHeader) {
        Fields f = new Fields(body);
        JsonArray raw = f.array("messages");
        if (raw == null) throw ApiError.invalid("messages", "'messages' is required.", "missing_required_parameter");
        if (raw.isEmpty()) throw ApiError.invalid("messages", "'messages' must contain at least one message.");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) messages.add(message(raw.getValue(i), "messages[" + i + "]"));
        Integer maxTokens = maxTokens(f, "max_completion_tokens");
        if (maxTokens == null) maxTokens = maxTokens(f, "max_tokens");
        return text(RequestKind.CHAT, f, messages, null, maxTokens, timeout(f, timeoutHeader));
    }

    static Text completion(JsonObject body, String timeoutHeader) {
        Fields f = new Fields(body);
        Object raw = body.getValue("prompt");
        String prompt;
        if (raw instanceof String s) {
            prompt = s;
        } else if (raw instanceof JsonArray a && a.size() == 1 && a.getValue(0) instanceof String s) {
            prompt = s;
        } else if (raw == null) {
            throw ApiError.invalid("prompt", "'prompt' is required.", "missing_required_parameter");
        } else {
            throw ApiError.invalid("prompt", "'prompt' must be a string (or an array holding one string).", "invalid_type");
        }
        if (prompt.length() > MAX_PROMPT_CHARS) throw ApiError.invalid("prompt", "'prompt' is longer than " + MAX_PROMPT_CHARS + " characters.");
        if (f.has("suffix")) throw ApiError.invalid("suffix", "'suffix' is not supported.", "unsupported_parameter");
        if (f.has("echo") && f.bool("echo", false)) throw ApiError.invalid("echo", "'echo' is not supported.", "unsupported_parameter");
        return text(RequestKind.COMPLETION, f, null, prompt, maxTokens(f, "max_tokens"), timeout(f, timeoutHeader));
    }

    private static Text text(RequestKind kind, Fields f, List<ChatMessage> messages, String prompt, Integer maxTokens,
                             Double timeout) {
        String model = f.string("model", null);
        if (f.integer("n", 1, 1, 128) != 1) throw ApiError.invalid("n", "'n' must be 1: one completion per request.", "unsupported_value");
        if (f.bool("logprobs", false) || (f.has("logprobs") && !(f.body().getValue("logprobs") instanceof Boolean))) {
            throw ApiError.invalid("logprobs", "'logprobs' is not supported.", "unsupported_parameter");
        }
        if (f.has("tools")) throw ApiError.invalid("tools", "'tools' is not supported.", "unsupported_parameter");
        double temperature = f.number("temperature", 1.0, 0, 2);
        double topP = f.number("top_p", 1.0, 0, 1);
        if (topP == 0) throw ApiError.invalid("top_p", "'top_p' must be greater than 0.");
        // vLLM's names and meanings; -1 is vLLM's old way to say no top-k
        int topK = Math.max(0, f.integer("top_k", 0, -1, Integer.MAX_VALUE));
        double minP = f.number("min_p", 0, 0, 1);
        double frequency = f.number("frequency_penalty", 0, -2, 2);
        double presence = f.number("presence_penalty", 0, -2, 2);
        double repetition = f.number("repetition_penalty", 1, 0, SamplingParams.MAX_REPETITION_PENALTY);
        if (repetition == 0) throw ApiError.invalid("repetition_penalty", "'repetition_penalty' must be greater than 0.");
        List<String> stop = f.stop("stop", SamplingParams.MAX_STOP_SEQUENCES);
        Long seed = f.has("seed") ? f.longValue("seed", 0) : null;
        boolean stream = f.bool("stream", false);
        JsonObject options = f.object("stream_options");
        boolean includeUsage = false;
        if (options != null) {
            if (!stream) throw ApiError.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
            includeUsage = new Fields(options).bool("include_usage", false);
        }
        return new Text(kind, model, messages, prompt, maxTokens, temperature, topP, topK, minP, frequency, presence, repetition, stop, seed,
                stream, includeUsage, timeout, f.bool("continue_on_disconnect", false));
    }

    static Image image(JsonObject body, String timeoutHeader) {
        Fields f = new Fields(body);
        String prompt = f.requiredString("prompt");
        if (prompt.isBlank()) throw ApiError.invalid("prompt", "'prompt' must not be empty.");
        if (prompt.length() > 4000) throw ApiError.invalid("prompt", "'prompt' must be at most 4000 characters.");
        int n = f.integer("n", 1, 1, ImageInput.MAX_N);
        String size = f.string("size", "512x512");
        int[] wh = size(size);
        String format = f.string("response_format", "url");
        if (!RESPONSE_FORMATS.contains(format)) throw ApiError.invalid("response_format", "'response_format' must be 'url' or 'b64_json'.");
        int steps = f.integer("steps", 30, 1, ImageInput.MAX_STEPS);
        double guidance = f.number("guidance_scale", 7.5, 0, 50);
        String negative = f.string("negative_prompt", "");
        Long seed = f.has("seed") ? f.longValue("seed", 0) : null;
        boolean stream = f.bool("stream", false);
        int partialImages = f.integer("partial_images", 0, 0, ImageInput.MAX_PARTIAL_IMAGES);
        if (partialImages > 0 && n != 1) {
            throw ApiError.invalid("partial_images", "'partial_images' needs 'n' to be 1: a preview shows one image in progress.",
                    "unsupported_value");
        }
        return new Image(f.string("model", null), prompt, negative, n, wh[0], wh[1], steps, guidance, seed, format,
                timeout(f, timeoutHeader), stream, partialImages);
    }

    private static int[] size(String size) {
        String[] parts = size.split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0]);
                int h = Integer.parseInt(parts[1]);
                if (w >= 8 && h >= 8 && w <= ImageInput.MAX_SIDE && h <= ImageInput.MAX_SIDE && w % 8 == 0 && h % 8 == 0) return new int[] {w, h};
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw ApiError.invalid("size", "'size' must be WIDTHxHEIGHT with sides that are multiples of 8 from 8 to "
                + ImageInput.MAX_SIDE + ", e.g. '512x512'; got '" + size + "'.");
    }

    private static Integer maxTokens(Fields f, String name) {
        return f.has(name) ? f.integer(name, 0, 1, Integer.MAX_VALUE) : null;
    }

    /** The body's {@code timeout} or the {@value #TIMEOUT_HEADER} header, whichever ends sooner; null for none. */
    private static Double timeout(Fields f, String header) {
        Double field = f.has("timeout") ? f.number("timeout", 0, 0.001, MAX_TIMEOUT_SECONDS) : null;
        if (header == null) return field;
        double seconds;
        try {
            seconds = Double.parseDouble(header.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0.001 && seconds <= MAX_TIMEOUT_SECONDS)) {
            throw ApiError.invalid(TIMEOUT_HEADER, "'" + TIMEOUT_HEADER + "' must be a number of seconds from 0.001 to "
                    + (long) MAX_TIMEOUT_SECONDS + "; got '" + header + "'.");
        }
        return field == null ? seconds : Math.min(field, seconds);
    }

    private static ChatMessage message(Object raw, String path) {
        if (!(raw instanceof JsonObject m)) throw ApiError.invalid(path, "'" + path + "' must be an object.", "invalid_type");
        Object role = m.getValue("role");
        if (!(role instanceof String r) || !ROLES.contains(r)) {
            throw ApiError.invalid(path + ".role", "'" + path + ".role' must be one of " + ROLES + ".");
        }
        Object content = m.getValue("content");
        if (content == null && r.equals("assistant")) return new ChatMessage(r, "");
        if (content instanceof String s) {
            if (s.length() > MAX_PROMPT_CHARS) throw ApiError.invalid(path + ".content", "'" + path + ".content' is too long.");
            return new ChatMessage(r, s);
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                String partPath = path + ".content[" + i + "]";
                if (!(parts.getValue(i) instanceof JsonObject part) || !"text".equals(part.getValue("type"))
                        || !(part.getValue("text") instanceof String t)) {
                    throw ApiError.invalid(partPath, "'" + partPath + "' must be a text part: {\"type\":\"text\",\"text\":...}; other parts are not supported.");
                }
                text.append(t);
            }
            return new ChatMessage(r, text.toString());
        }
        throw ApiError.invalid(path + ".content", "'" + path + ".content' must be a string or an array of text parts.", "invalid_type");
    }
}
