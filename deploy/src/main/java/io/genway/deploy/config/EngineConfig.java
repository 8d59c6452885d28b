package io.genway.deploy.config;

import io.genway.llm.llama.Activations;
import io.genway.schemas.Modality;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code pools[i].engine:} what each worker of a pool runs, chosen by {@code type} and the pool's modality. */
public sealed interface EngineConfig {

    /** The {@code type} key. */
    String type();

    Modality modality();

    /** Runs one worker takes at once. */
    int slots();

    /** The engine types a modality offers, for messages. */
    static List<String> types(Modality modality) {
        return switch (modality) {
            case TEXT -> List.of(SyntheticText.TYPE, RemoteText.TYPE, NativeText.TYPE);
            case IMAGE -> List.of(SyntheticImage.TYPE, NativeImage.TYPE);
        };
    }

    /** Echoes the prompt's words at a fixed pace (no model): for trying the platform and for benchmarks. */
    record SyntheticText(int slots, Duration firstTokenDelay, Duration tokenDelay) implements EngineConfig {
        public static final String TYPE = "synthetic";
        public static final SyntheticText DEFAULT = new SyntheticText(64, Duration.ofMillis(20), Duration.ofMillis(15));

        public SyntheticText {
            Check.range("slots", slots, 1, 4096);
            Check.range("first_token_delay", firstTokenDelay, Duration.ZERO, Duration.ofMinutes(10));
            Check.range("token_delay", tokenDelay, Duration.ZERO, Duration.ofMinutes(1));
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Modality modality() {
            return Modality.TEXT;
        }
    }

    /**
     * Streams from an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, TGI).
     *
     * @param baseUrl     the server's OpenAI base, e.g. {@code http://vllm:8000/v1}
     * @param apiKey      sent as a bearer token; null for none
     * @param modelMap    the pool's model name to the upstream's; a model not in it is sent as it is
     * @param idleTimeout the longest silence from the upstream inside one stream before the run fails (retriably)
     */
    record RemoteText(URI baseUrl, String apiKey, Map<String, String> modelMap, int slots, Duration connectTimeout,
                      Duration idleTimeout) implements EngineConfig {
        public static final String TYPE = "remote";
        public static final int DEFAULT_SLOTS = 16;
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

        public RemoteText {
            if (baseUrl == null) throw new ConfigException("base_url", "required for engine type remote");
            String scheme = baseUrl.getScheme();
            if (!("http".equals(scheme) || "https".equals(scheme)) || baseUrl.getHost() == null) {
                throw new ConfigException("base_url", "must be an absolute http or https URL, was '" + baseUrl + "'");
            }
            apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
            modelMap = modelMap == null ? Map.of() : Map.copyOf(modelMap);
            Check.range("slots", slots, 1, 4096);
            Check.range("connect_timeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
            Check.range("idle_timeout", idleTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Modality modality() {
            return Modality.TEXT;
        }

        /** Keeps the key out of logs and of printed configuration. */
        @Override
        public String toString() {
            return "RemoteText[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***") + ", modelMap=" + modelMap
                    + ", slots=" + slots + ", connectTimeout=" + connectTimeout + ", idleTimeout=" + idleTimeout + "]";
        }
    }

    /**
     * Runs a llama-family GGUF model inside the worker (the native engine), with continuous batching.
     *
     * @param model         the GGUF file
     * @param slots         sequences decoded together at most
     * @param contextLength tokens per sequence; 0 takes the model's own
     * @param kvBudget      bytes of KV cache; a request waits until its prompt + max_tokens fit
     * @param prefillChunk  prompt tokens computed per step at most (the longest a prompt delays running streams)
     * @param activations   how Q8_0/Q4_0 products are made: {@code q8} (8-bit activations, faster up to four
     *                      sequences) or {@code f32} (faster beyond); configured {@code auto}, it follows the slots
     */
    record NativeText(java.nio.file.Path model, int slots, int contextLength, long kvBudget, int prefillChunk,
                      Activations activations) implements EngineConfig {
        public static final String TYPE = "native";
        public static final int DEFAULT_SLOTS = 4;
        public static final long DEFAULT_KV_BUDGET = 512L << 20;
        public static final int DEFAULT_PREFILL_CHUNK = 64;

        public NativeText {
            if (model == null) throw new ConfigException("model", "required for engine type native: the path of a GGUF file");
            if (!java.nio.file.Files.isRegularFile(model)) throw new ConfigException("model", "no such file: " + model);
            Check.range("slots", slots, 1, 1024);
            Check.range("context_length", contextLength, 0, 1 << 20);
            Check.range("kv_budget", kvBudget, 1L << 16, 1L << 40);
            Check.range("prefill_chunk", prefillChunk, 1, 4096);
            if (activations == null) throw new ConfigException("activations", "required: f32 or q8");
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Modality modality() {
            return Modality.TEXT;
        }
    }

    /** Makes a deterministic image from the prompt and seed at a fixed pace per denoising step (no model). */
    record SyntheticImage(int slots, Duration stepDelay) implements EngineConfig {
        public static final String TYPE = "synthetic";
        public static final SyntheticImage DEFAULT = new SyntheticImage(4, Duration.ofMillis(40));

        public SyntheticImage {
            Check.range("slots", slots, 1, 1024);
            Check.range("step_delay", stepDelay, Duration.ZERO, Duration.ofMinutes(1));
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Modality modality() {
            return Modality.IMAGE;
        }
    }

    /**
     * Renders with a diffusers text-to-image folder inside the worker (the native diffusion engine).
     *
     * @param model    the diffusers folder (holding {@code model_index.json})
     * @param maxBatch images denoised together at most, which bounds activation memory per size
     * @param sampler  the sampler every request uses: ddim, ddpm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras; null
     *                 for the one the folder's scheduler config names
     */
    record NativeImage(java.nio.file.Path model, int slots, int maxBatch, String sampler) implements EngineConfig {
        public static final String TYPE = "native";
        public static final int DEFAULT_SLOTS = 4;
        public static final int DEFAULT_MAX_BATCH = 4;
        public static final List<String> SAMPLERS =
                List.of("ddim", "ddpm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras");

        public NativeImage {
            if (model == null) {
                throw new ConfigException("model", "required for engine type native: the path of a diffusers folder");
            }
            if (!java.nio.file.Files.isRegularFile(model.resolve("model_index.json"))) {
                throw new ConfigException("model", "not a diffusers folder (no model_index.json): " + model);
            }
            Check.range("slots", slots, 1, 1024);
            Check.range("max_batch", maxBatch, 1, 64);
            if (sampler != null && !SAMPLERS.contains(sampler)) {
                throw new ConfigException("sampler", "unknown sampler '" + sampler + "' (known: " + String.join(", ", SAMPLERS) + ")");
            }
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Modality modality() {
            return Modality.IMAGE;
        }
    }
}
