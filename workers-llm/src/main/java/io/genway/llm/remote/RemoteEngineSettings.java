package io.genway.llm.remote;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link RemoteTextEngine} relays to and how long it waits.
 *
 * @param baseUrl        the upstream's root, with or without a trailing {@code /v1} (e.g. {@code http://vllm:8000})
 * @param apiKey         sent as a bearer token; null (or blank) sends none
 * @param modelMap       genway model name to the upstream's model name; a model not in it goes up under its own name
 * @param slots          requests relayed at once: the upstream connections this engine holds
 * @param connectTimeout how long opening a connection to the upstream may take
 * @param idleTimeout    the longest silence allowed from the upstream, before its headers and between stream chunks
 */
public record RemoteEngineSettings(
        URI baseUrl,
        String apiKey,
        Map<String, String> modelMap,
        int slots,
        Duration connectTimeout,
        Duration idleTimeout) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a busy upstream's prefill of a long prompt before its first chunk. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);

    public RemoteEngineSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!baseUrl.isAbsolute() || baseUrl.getHost() == null
                || !("http".equalsIgnoreCase(baseUrl.getScheme()) || "https".equalsIgnoreCase(baseUrl.getScheme()))) {
            throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, was " + baseUrl);
        }
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        modelMap = modelMap == null ? Map.of() : Map.copyOf(modelMap);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(idleTimeout, "idleTimeout");
    }

    /** An upstream without a key, models under their own names, and the default timeouts. */
    public static RemoteEngineSettings of(URI baseUrl, int slots) {
        return new RemoteEngineSettings(baseUrl, null, Map.of(), slots, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }

    /** The name the upstream knows {@code model} by. */
    public String upstreamModel(String model) {
        return modelMap.getOrDefault(model, model);
    }

    /** Keeps the key out of logs and exception messages. */
    @Override
    public String toString() {
        return "RemoteEngineSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", modelMap=" + modelMap + ", slots=" + slots + ", connectTimeout=" + connectTimeout
                + ", idleTimeout=" + idleTimeout + "]";
    }

    private static void requirePositive(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
}
