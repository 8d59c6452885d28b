package io.genway.deploy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.genway.schemas.Modality;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code genway.yaml} into a validated {@link GenwayConfig}.
 *
 * <p>Which file: {@code --config FILE}, else {@code $GENWAY_CONFIG}, else {@code genway.yaml} in the working
 * directory if there is one, else none: the built-in {@link GenwayConfig#DEFAULT}. Inside the file, {@code ${NAME}}
 * in a value is replaced by the environment variable {@code NAME} (for secrets kept out of the file), and
 * {@code ${NAME:-fallback}} by the fallback when {@code NAME} is not set. {@code ${GENWAY_HOME}}, when not set, is
 * where genway is installed (see {@link DemoModels#home}).
 *
 * <p>Precedence: command-line flags over environment variables over the file over built-in defaults. The
 * environment variables:
 * <pre>
 *   GENWAY_CONFIG             the file to read
 *   GENWAY_BOOTSTRAP_SERVERS  kafka.bootstrap_servers
 *   GENWAY_TOPIC_PREFIX       kafka.topic_prefix
 *   GENWAY_PORT               gateway.port
 *   GENWAY_API_KEYS           gateway.api_keys, comma-separated
 *   GENWAY_DATA_DIR           broker.data_dir
 *   GENWAY_UPSTREAM_URL       with no file only: the text pool runs the remote engine against this
 *                             OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1) instead of the synthetic one
 *   GENWAY_UPSTREAM_API_KEY   its bearer token
 *   GENWAY_UPSTREAM_MODEL     the model name the text pool serves and sends upstream (default "default")
 * </pre>
 * An empty variable counts as unset. Every error is a {@link ConfigException} naming the YAML path and, where it
 * came from one, the file, variable or flag.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

    public static final String FILE_NAME = "genway.yaml";
    public static final String DEFAULT_UPSTREAM_MODEL = "default";
    static final int UPSTREAM_MAX_TOKENS = 4096;

    /** The variables that set one YAML path each. */
    static final Map<String, String> ENV_PATHS = envPaths();

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> env;
    private final Path workingDir;
    private final ObjectMapper yaml;

    /**
     * @param env        the environment to read variables from (tests pass their own map)
     * @param workingDir where {@value #FILE_NAME} is looked for and relative paths in flags are resolved
     */
    public ConfigLoader(Map<String, String> env, Path workingDir) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.workingDir = Objects.requireNonNull(workingDir, "workingDir");
        this.yaml = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    public static ConfigLoader fromSystem() {
        return new ConfigLoader(System.getenv(), Path.of("").toAbsolutePath());
    }

    /**
     * A value set on the command line.
     *
     * @param path  the YAML path it replaces, e.g. {@code gateway.port}
     * @param value a string, number or list of strings
     * @param origin what set it, for messages: {@code --port}
     */
    public record Setting(String path, Object value, String origin) {
        public Setting {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(origin, "origin");
        }
    }

    /** The file that {@link #load} reads, if any. */
    public Optional<Path> locate(Path explicitFile) {
        if (explicitFile != null) return Optional.of(workingDir.resolve(explicitFile));
        String fromEnv = variable("GENWAY_CONFIG");
        if (fromEnv != null) return Optional.of(workingDir.resolve(fromEnv));
        Path here = workingDir.resolve(FILE_NAME);
        return Files.isRegularFile(here) ? Optional.of(here) : Optional.empty();
    }

    /**
     * Reads the configuration.
     *
     * @param explicitFile {@code --config}, or null
     * @param flags        command-line settings, applied last
     */
    public GenwayConfig load(Path explicitFile, List<Setting> flags) {
        Optional<Path> file = locate(explicitFile);
        if (file.isEmpty()) {
            log.info("no {} here and none given: running the built-in configuration", FILE_NAME);
            return parse(null, null, flags);
        }
        Path f = file.get();
        String text;
        try {
            text = Files.readString(f);
        } catch (IOException e) {
            String how = explicitFile != null ? "--config" : variable("GENWAY_CONFIG") != null ? "GENWAY_CONFIG" : "the working directory";
            throw new ConfigException("", "cannot read config file " + f + " (from " + how + "): " + describe(e));
        }
        log.info("configuration from {}", f);
        return parse(text, f.toString(), flags);
    }

    /**
     * Reads configuration from YAML text.
     *
     * @param text       the YAML, or null for the built-in configuration
     * @param sourceName the file name for messages, or null
     */
    public GenwayConfig parse(String text, String sourceName, List<Setting> flags) {
        String where = sourceName == null ? null : "in " + sourceName;
        JsonNode tree;
        try {
            tree = text == null ? null : yaml.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String pos = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException("", "not valid YAML" + pos + ": " + e.getOriginalMessage().lines().findFirst().orElse("")).from(where);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) tree = JsonNodeFactory.instance.objectNode();
        if (!tree.isObject()) throw new ConfigException("", "the file must be a mapping of sections (kafka, gateway, broker, topics, pools)").from(where);
        ObjectNode root = (ObjectNode) tree;
        Map<String, String> origins = new LinkedHashMap<>();
        try {
            interpolate(root, "");
        } catch (ConfigException e) {
            throw e.from(where);
        }
        for (Map.Entry<String, String> e : ENV_PATHS.entrySet()) {
            String value = variable(e.getKey());
            if (value == null) continue;
            Object v = e.getValue().equals("gateway.api_keys") ? commaSeparated(value) : value;
            set(root, e.getValue(), v);
            origins.put(e.getValue(), "set by " + e.getKey());
        }
        for (Setting s : flags) {
            Object v = s.path().equals("broker.data_dir") ? workingDir.resolve(s.value().toString()).toString() : s.value();
            set(root, s.path(), v);
            origins.put(s.path(), "set by " + s.origin());
        }
        GenwayConfig config;
        try {
            config = ConfigReader.read(root);
        } catch (ConfigException e) {
            throw e.from(originOf(e.path(), origins).orElse(where));
        }
        return text == null ? upstream(config) : warnUnusedUpstream(config, sourceName);
    }

    /** With no file, GENWAY_UPSTREAM_URL turns the built-in text pool into a remote one. */
    private GenwayConfig upstream(GenwayConfig config) {
        String url = variable("GENWAY_UPSTREAM_URL");
        if (url == null) return config;
        String model = Optional.ofNullable(variable("GENWAY_UPSTREAM_MODEL")).orElse(DEFAULT_UPSTREAM_MODEL);
        List<PoolConfig> pools = new ArrayList<>(config.pools());
        for (int i = 0; i < pools.size(); i++) {
            PoolConfig p = pools.get(i);
            if (p.modality() != Modality.TEXT) continue;
            String at = "pools[" + i + "].engine";
            EngineConfig.RemoteText engine;
            try {
                engine = new EngineConfig.RemoteText(URI.create(url.trim()), variable("GENWAY_UPSTREAM_API_KEY"), Map.of(),
                        EngineConfig.RemoteText.DEFAULT_SLOTS, EngineConfig.RemoteText.DEFAULT_CONNECT_TIMEOUT,
                        EngineConfig.RemoteText.DEFAULT_IDLE_TIMEOUT);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ".base_url", "not a URL: '" + url + "'").from("set by GENWAY_UPSTREAM_URL");
            } catch (ConfigException e) {
                throw e.under(at).from("set by GENWAY_UPSTREAM_URL");
            }
            // A real upstream model writes longer answers than the demo model the pool served.
            pools.set(i, new PoolConfig(p.name(), p.modality(), List.of(model), p.maxBacklog(), Math.max(p.maxTokens(), UPSTREAM_MAX_TOKENS),
                    p.workers(), p.drainTimeout(), engine));
            log.info("pool {} serves model {} from {}", p.name(), model, url);
            break;
        }
        return config.withPools(pools);
    }

    private GenwayConfig warnUnusedUpstream(GenwayConfig config, String sourceName) {
        if (variable("GENWAY_UPSTREAM_URL") != null) {
            log.warn("GENWAY_UPSTREAM_URL is ignored because a configuration file is in use ({}); give a text pool an engine of type remote there", sourceName);
        }
        return config;
    }

    /** Replaces {@code ${NAME}} in every string value, so secrets can stay in the environment. */
    private void interpolate(JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getValue().isTextual()) e.setValue(TextNode.valueOf(substitute(e.getValue().asText(), at)));
                else interpolate(e.getValue(), at);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String at = path + "[" + i + "]";
                if (a.get(i).isTextual()) a.set(i, TextNode.valueOf(substitute(a.get(i).asText(), at)));
                else interpolate(a.get(i), at);
            }
        }
    }

    private String substitute(String text, String path) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null && m.group(1).equals("GENWAY_HOME")) value = DemoModels.home().toString();
            if (value == null) value = m.group(2);
            if (value == null) throw new ConfigException(path, "${" + m.group(1) + "} is not set in the environment (${" + m.group(1) + ":-} allows that)");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void set(ObjectNode root, String path, Object value) {
        String[] parts = path.split("\\.");
        ObjectNode at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = at.get(parts[i]);
            at = child instanceof ObjectNode o ? o : at.putObject(parts[i]);
        }
        String key = parts[parts.length - 1];
        switch (value) {
            case List<?> list -> {
                ArrayNode a = at.putArray(key);
                list.forEach(v -> a.add(v.toString()));
            }
            case Integer n -> at.put(key, n);
            case Long n -> at.put(key, n);
            default -> at.put(key, value.toString());
        }
    }

    /** What set the value at {@code path} (or a value containing it): {@code set by GENWAY_PORT}. */
    private static Optional<String> originOf(String path, Map<String, String> origins) {
        return origins.entrySet().stream()
                .filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "[") || path.startsWith(e.getKey() + "."))
                .map(Map.Entry::getValue)
                .reduce((first, later) -> later);
    }

    private String variable(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static List<String> commaSeparated(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Map<String, String> envPaths() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("GENWAY_BOOTSTRAP_SERVERS", "kafka.bootstrap_servers");
        m.put("GENWAY_TOPIC_PREFIX", "kafka.topic_prefix");
        m.put("GENWAY_PORT", "gateway.port");
        m.put("GENWAY_API_KEYS", "gateway.api_keys");
        m.put("GENWAY_DATA_DIR", "broker.data_dir");
        return m;
    }
}
