package io.genway.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.deploy.config.ConfigLoader.Setting;
import io.genway.llm.llama.Activations;
import io.genway.schemas.Modality;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private GenwayConfig load(Map<String, String> env, List<Setting> flags) {
        return new ConfigLoader(env, dir).load(null, flags);
    }

    private GenwayConfig parse(String yaml) {
        return new ConfigLoader(Map.of(), dir).parse(yaml, null, List.of());
    }

    private void write(String yaml) throws IOException {
        Files.writeString(dir.resolve("genway.yaml"), yaml);
    }

    @Test
    void runsTheBuiltInConfigurationWithNoFile() {
        GenwayConfig config = load(Map.of(), List.of());

        assertThat(config).isEqualTo(GenwayConfig.DEFAULT);
        // The repository's demo models (the build points genway.home at it) on the native engines, and the synthetic pools.
        assertThat(DemoModels.text()).as("demo-models/ in the repository").isPresent();
        assertThat(config.poolNames()).containsExactly("text", "image", "synthetic-text", "synthetic-image");
        assertThat(config.pool("text").orElseThrow().models()).containsExactly(DemoModels.TEXT_MODEL);
        assertThat(config.pool("text").orElseThrow().engine()).isInstanceOfSatisfying(EngineConfig.NativeText.class,
                e -> assertThat(e.model()).isEqualTo(DemoModels.text().orElseThrow()));
        assertThat(config.pool("image").orElseThrow().engine()).isInstanceOfSatisfying(EngineConfig.NativeImage.class,
                e -> assertThat(e.model()).isEqualTo(DemoModels.image().orElseThrow()));
        assertThat(config.pool("synthetic-text").orElseThrow().engine()).isInstanceOf(EngineConfig.SyntheticText.class);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.gateway().port()).isEqualTo(8080);
    }

    @Test
    void withoutTheDemoModelsTheBuiltInPoolsServeTheSyntheticEngines() {
        String home = System.getProperty("genway.home");
        System.setProperty("genway.home", dir.toString());
        try {
            List<PoolConfig> pools = GenwayConfig.defaultPools();
            assertThat(pools).extracting(PoolConfig::name).containsExactly("text", "image");
            assertThat(pools).extracting(PoolConfig::engine)
                    .containsExactly(EngineConfig.SyntheticText.DEFAULT, EngineConfig.SyntheticImage.DEFAULT);
        } finally {
            if (home == null) System.clearProperty("genway.home");
            else System.setProperty("genway.home", home);
        }
    }

    @Test
    void theExampleFileSpellsOutExactlyTheBuiltInConfiguration() throws IOException {
        Path example = Path.of("genway.example.yaml");
        assertThat(parse(Files.readString(example))).isEqualTo(GenwayConfig.DEFAULT);
    }

    @Test
    void anEmptyFileMeansEveryDefault() {
        assertThat(parse("")).isEqualTo(GenwayConfig.DEFAULT);
        assertThat(parse("# nothing here\n")).isEqualTo(GenwayConfig.DEFAULT);
    }

    @Test
    void readsEveryKeyOfAFullFile() throws IOException {
        write("""
                kafka:
                  bootstrap_servers: "kafka-0:9092,kafka-1:9092"
                  topic_prefix: "prod."
                  client: { security.protocol: SASL_SSL, request.timeout.ms: 20000 }
                gateway: { host: 127.0.0.1, port: 9000, api_keys: [k1, k2], max_body_bytes: 1048576, worker_timeout: 3s, keep_alive: 15s,
                          state_dir: /var/lib/gw }
                broker: { data_dir: /srv/genway, port: 19092, settings: { log.retention.hours: 12 } }
                topics: { request_partitions: 2, event_partitions: 16, lease_duration: 5m, delivery_limit: 3, event_retention: 2h }
                pools:
                  - name: chat
                    modality: text
                    models: [llama-3.1-8b, llama-3.1-8b-long]
                    max_backlog: 100
                    max_tokens: 8192
                    workers: 2
                    drain_timeout: 45s
                    engine:
                      type: remote
                      base_url: http://vllm:8000/v1
                      api_key: secret
                      model_map: { llama-3.1-8b: meta-llama/Llama-3.1-8B-Instruct }
                      slots: 32
                      connect_timeout: 2s
                      idle_timeout: 90s
                  - name: fast-text
                    modality: text
                    models: [echo]
                    engine: { type: synthetic, slots: 8, first_token_delay: 0, token_delay: 1ms }
                  - name: pictures
                    modality: image
                    models: [sd-tiny]
                    engine: { type: synthetic, slots: 2, step_delay: PT0.1S }
                """);

        GenwayConfig config = load(Map.of(), List.of());

        assertThat(config.kafka()).isEqualTo(new KafkaClientConfig("kafka-0:9092,kafka-1:9092", "prod.",
                Map.of("security.protocol", "SASL_SSL", "request.timeout.ms", "20000")));
        assertThat(config.gateway()).isEqualTo(new GatewayConfig("127.0.0.1", 9000, List.of("k1", "k2"), 1048576,
                Duration.ofSeconds(3), Duration.ofSeconds(15), Path.of("/var/lib/gw")));
        assertThat(config.broker()).isEqualTo(new BrokerConfig(Path.of("/srv/genway"), 19092, Map.of("log.retention.hours", "12")));
        assertThat(config.topics()).isEqualTo(new TopicsConfig(2, 16, Duration.ofMinutes(5), 3, Duration.ofHours(2)));
        assertThat(config.pools()).containsExactly(
                new PoolConfig("chat", Modality.TEXT, List.of("llama-3.1-8b", "llama-3.1-8b-long"), 100, 8192, 2, Duration.ofSeconds(45),
                        new EngineConfig.RemoteText(URI.create("http://vllm:8000/v1"), "secret",
                                Map.of("llama-3.1-8b", "meta-llama/Llama-3.1-8B-Instruct"), 32, Duration.ofSeconds(2), Duration.ofSeconds(90))),
                new PoolConfig("fast-text", Modality.TEXT, List.of("echo"), 256, 4096, 1, Duration.ofSeconds(30),
                        new EngineConfig.SyntheticText(8, Duration.ZERO, Duration.ofMillis(1))),
                new PoolConfig("pictures", Modality.IMAGE, List.of("sd-tiny"), 256, 1, 1, Duration.ofSeconds(30),
                        new EngineConfig.SyntheticImage(2, Duration.ofMillis(100))));
    }

    @Test
    void aPoolWithoutEngineRunsTheSyntheticOneOfItsModality() {
        GenwayConfig config = parse("pools: [{ name: pics, modality: image, models: [m] }]");
        assertThat(config.pools().getFirst().engine()).isEqualTo(EngineConfig.SyntheticImage.DEFAULT);
        assertThat(config.pools().getFirst().maxTokens()).isEqualTo(1);
    }

    // ---- errors name the YAML path

    private static void failsWith(Runnable load, String message) {
        assertThatThrownBy(load::run).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void namesTheMissingRequiredEngineOption() {
        failsWith(() -> parse("""
                pools:
                  - { name: text, modality: text, models: [a] }
                  - { name: up, modality: text, models: [b], engine: { type: remote, slots: 4 } }
                """), "pools[1].engine.base_url: required for engine type remote");
    }

    @Test
    void namesTheNativeEnginesMissingModelFile() {
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a], engine: { type: native } }]"),
                "pools[0].engine.model: required for engine type native: the path of a GGUF file");
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a], engine: { type: native, model: /nonexistent/x.gguf } }]"),
                "pools[0].engine.model: no such file: /nonexistent/x.gguf");
    }

    @Test
    void readsTheNativeEnginesKvBudgetWithUnitsAndNamesABadOne() throws IOException {
        Path model = Files.writeString(dir.resolve("m.gguf"), "not read here");
        String pool = "pools: [{ name: t, modality: text, models: [a], engine: { type: native, model: " + model + ", ";

        EngineConfig.NativeText engine = (EngineConfig.NativeText) parse(pool + "kv_budget: 256MiB, prefill_chunk: 32 } }]")
                .pool("t").orElseThrow().engine();
        assertThat(engine.kvBudget()).isEqualTo(256L << 20);
        assertThat(engine.prefillChunk()).isEqualTo(32);
        assertThat(((EngineConfig.NativeText) parse(pool + "kv_budget: 2GB } }]").pool("t").orElseThrow().engine()).kvBudget()).isEqualTo(2_000_000_000L);
        assertThat(((EngineConfig.NativeText) parse(pool + "slots: 2 } }]").pool("t").orElseThrow().engine()).kvBudget())
                .isEqualTo(EngineConfig.NativeText.DEFAULT_KV_BUDGET);

        failsWith(() -> parse(pool + "kv_budget: lots } }]"),
                "pools[0].engine.kv_budget: must be a size in bytes with an optional unit (e.g. 512MiB, 2GiB, 800MB), was 'lots'");
        assertThatThrownBy(() -> parse(pool + "kv_budget: 1KiB } }]")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("pools[0].engine.kv_budget: must be in [");
    }

    @Test
    void readsTheNativeEnginesActivationsByItsSlotsUnlessAskedAndNamesABadOne() throws IOException {
        Path model = Files.writeString(dir.resolve("m.gguf"), "not read here");
        String pool = "pools: [{ name: t, modality: text, models: [a], engine: { type: native, model: " + model;

        assertThat(((EngineConfig.NativeText) parse(pool + " } }]").pool("t").orElseThrow().engine()).activations())
                .as("auto with the default 4 slots").isEqualTo(Activations.Q8);
        assertThat(((EngineConfig.NativeText) parse(pool + ", slots: 16 } }]").pool("t").orElseThrow().engine()).activations())
                .as("auto with 16 slots").isEqualTo(Activations.F32);
        assertThat(((EngineConfig.NativeText) parse(pool + ", slots: 16, activations: q8 } }]").pool("t").orElseThrow().engine()).activations())
                .isEqualTo(Activations.Q8);
        assertThat(((EngineConfig.NativeText) parse(pool + ", activations: q8 } }]").pool("t").orElseThrow().engine()).activations())
                .isEqualTo(Activations.Q8);
        failsWith(() -> parse(pool + ", activations: int4 } }]"), "pools[0].engine.activations: activations must be f32 or q8, was int4 (or auto)");
    }

    @Test
    void readsTheNativeImageEngineWithItsDiffusersFolder() throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("model_index.json"), "{}");
        GenwayConfig config = parse("pools: [{ name: i, modality: image, models: [demo], engine: { type: native, model: " + dir
                + ", max_batch: 2, sampler: euler_a } }]");
        assertThat(config.pools().getFirst().engine()).isEqualTo(new EngineConfig.NativeImage(dir, 4, 2, "euler_a"));
    }

    @Test
    void namesTheNativeImageEnginesMissingFolderAndUnknownSampler() throws java.io.IOException {
        failsWith(() -> parse("pools: [{ name: i, modality: image, models: [a], engine: { type: native } }]"),
                "pools[0].engine.model: required for engine type native: the path of a diffusers folder");
        failsWith(() -> parse("pools: [{ name: i, modality: image, models: [a], engine: { type: native, model: " + dir + " } }]"),
                "pools[0].engine.model: not a diffusers folder (no model_index.json): " + dir);
        java.nio.file.Files.writeString(dir.resolve("model_index.json"), "{}");
        failsWith(() -> parse("pools: [{ name: i, modality: image, models: [a], engine: { type: native, model: " + dir
                        + ", sampler: plms } }]"),
                "pools[0].engine.sampler: unknown sampler 'plms' (known: ddim, ddpm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras)");
    }

    @Test
    void namesAnUnknownEngineTypeAndListsTheModalitysTypes() {
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a], engine: { type: gguf } }]"),
                "pools[0].engine.type: unknown engine type 'gguf' for modality text (text engines: synthetic, remote, native)");
        failsWith(() -> parse("pools: [{ name: i, modality: image, models: [a], engine: { type: remote, base_url: http://x } }]"),
                "pools[0].engine.type: unknown engine type 'remote' for modality image (image engines: synthetic, native)");
    }

    @Test
    void namesAnUnknownEngineOption() {
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a], engine: { type: synthetic, step_delay: 5ms } }]"),
                "pools[0].engine.step_delay: unknown option for engine type synthetic (known: type, slots, first_token_delay, token_delay)");
    }

    @Test
    void namesAnUnknownKeyInASectionAndAtTheTop() {
        failsWith(() -> parse("gateway: { prot: 80 }"),
                "gateway.prot: unknown key (known: host, port, api_keys, max_body_bytes, worker_timeout, keep_alive, state_dir)");
        failsWith(() -> parse("pool: []"), "pool: unknown section (known: kafka, gateway, broker, topics, pools)");
    }

    @Test
    void namesABadDuration() {
        failsWith(() -> parse("gateway: { worker_timeout: 5 }"),
                "gateway.worker_timeout: must be a duration with a unit (500ms, 5s, 10m, 24h), was 5");
        failsWith(() -> parse("topics: { lease_duration: 10 minutes }"),
                "topics.lease_duration: not a duration: '10 minutes' (write e.g. 500ms, 5s, 10m, 24h or PT5S)");
    }

    @Test
    void namesAValueOutOfRange() {
        failsWith(() -> parse("gateway: { port: 70000 }"), "gateway.port: must be in [0, 65535], was 70000");
        failsWith(() -> parse("topics: { delivery_limit: 11 }"), "topics.delivery_limit: must be in [2, 10], was 11");
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a], engine: { type: synthetic, slots: 0 } }]"),
                "pools[0].engine.slots: must be in [1, 4096], was 0");
        failsWith(() -> parse("topics: { lease_duration: 500ms }"), "topics.lease_duration: must be in [1s, 1h], was 500ms");
    }

    @Test
    void namesAValueOfTheWrongType() {
        failsWith(() -> parse("gateway: { port: eighty }"), "gateway.port: must be a whole number, was 'eighty'");
        failsWith(() -> parse("gateway: { api_keys: k1 }"), "gateway.api_keys: must be a list, was 'k1'");
        failsWith(() -> parse("kafka: [a]"), "kafka: must be a mapping of keys to values, was a list");
    }

    @Test
    void namesTheFaultInAPool() {
        failsWith(() -> parse("pools: [{ name: t, modality: audio, models: [a] }]"), "pools[0].modality: must be one of text, image, was 'audio'");
        failsWith(() -> parse("pools: [{ name: t, modality: text }]"), "pools[0].models: required: the model names this pool serves");
        failsWith(() -> parse("pools: [{ name: Text, modality: text, models: [a] }]"),
                "pools[0].name: must be 1 to 63 of a-z, 0-9, '.', '_', '-' starting with a letter or digit, was 'Text'");
        failsWith(() -> parse("pools: [{ name: t, modality: text, models: [a] }, { name: t, modality: image, models: [b] }]"),
                "pools[1].name: duplicate pool name 't'");
        failsWith(() -> parse("pools: []"), "pools: at least one pool is needed");
    }

    @Test
    void namesTheFileAndLineOfBrokenYaml() throws IOException {
        write("gateway:\n  port: [8080\n");
        assertThatThrownBy(() -> load(Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("not valid YAML at line")
                .hasMessageEndingWith("(in " + dir.resolve("genway.yaml") + ")");
    }

    @Test
    void aDuplicateKeyIsAnError() {
        assertThatThrownBy(() -> parse("gateway: { port: 1, port: 2 }")).isInstanceOf(ConfigException.class).hasMessageContaining("Duplicate field 'port'");
    }

    @Test
    void namesTheFileAnErrorIsIn() throws IOException {
        write("gateway: { port: -1 }");
        failsWith(() -> load(Map.of(), List.of()), "gateway.port: must be in [0, 65535], was -1 (in " + dir.resolve("genway.yaml") + ")");
    }

    @Test
    void aMissingConfigFileIsAnError() {
        failsWith(() -> new ConfigLoader(Map.of(), dir).load(Path.of("nope.yaml"), List.of()),
                "cannot read config file " + dir.resolve("nope.yaml") + " (from --config): no such file");
        failsWith(() -> new ConfigLoader(Map.of("GENWAY_CONFIG", "/no/such.yaml"), dir).load(null, List.of()),
                "cannot read config file /no/such.yaml (from GENWAY_CONFIG): no such file");
    }

    // ---- where the file comes from, and what overrides it

    @Test
    void theFileComesFromTheFlagThenTheEnvironmentThenTheWorkingDirectory() throws IOException {
        write("gateway: { port: 1001 }");
        Files.writeString(dir.resolve("env.yaml"), "gateway: { port: 1002 }");
        Files.writeString(dir.resolve("flag.yaml"), "gateway: { port: 1003 }");
        var env = Map.of("GENWAY_CONFIG", "env.yaml");

        assertThat(new ConfigLoader(Map.of(), dir).load(null, List.of()).gateway().port()).isEqualTo(1001);
        assertThat(new ConfigLoader(env, dir).load(null, List.of()).gateway().port()).isEqualTo(1002);
        assertThat(new ConfigLoader(env, dir).load(Path.of("flag.yaml"), List.of()).gateway().port()).isEqualTo(1003);
    }

    @Test
    void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws IOException {
        write("""
                kafka: { bootstrap_servers: "file:9092", topic_prefix: "file." }
                gateway: { port: 8081, api_keys: [from-file] }
                broker: { data_dir: /file/data }
                """);
        var env = Map.of("GENWAY_BOOTSTRAP_SERVERS", "env:9092", "GENWAY_PORT", "8082", "GENWAY_API_KEYS", " a, b ,,c",
                "GENWAY_TOPIC_PREFIX", "env.", "GENWAY_DATA_DIR", "/env/data");

        GenwayConfig fromEnv = load(env, List.of());
        assertThat(fromEnv.kafka().bootstrapServers()).isEqualTo("env:9092");
        assertThat(fromEnv.kafka().topicPrefix()).isEqualTo("env.");
        assertThat(fromEnv.gateway().port()).isEqualTo(8082);
        assertThat(fromEnv.gateway().apiKeys()).containsExactly("a", "b", "c");
        assertThat(fromEnv.broker().dataDir()).isEqualTo(Path.of("/env/data"));

        GenwayConfig fromFlags = load(env, List.of(new Setting("gateway.port", 8083, "--port"),
                new Setting("kafka.bootstrap_servers", "flag:9092", "--bootstrap-servers"),
                new Setting("broker.data_dir", "rel", "--data-dir")));
        assertThat(fromFlags.gateway().port()).isEqualTo(8083);
        assertThat(fromFlags.kafka().bootstrapServers()).isEqualTo("flag:9092");
        assertThat(fromFlags.broker().dataDir()).isEqualTo(dir.resolve("rel"));
        assertThat(fromFlags.kafka().topicPrefix()).isEqualTo("env.");
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws IOException {
        write("gateway: { port: 8081 }");
        assertThat(load(Map.of("GENWAY_PORT", ""), List.of()).gateway().port()).isEqualTo(8081);
    }

    @Test
    void anOverrideErrorNamesTheVariableOrFlagThatSetIt() throws IOException {
        write("gateway: { port: 8081 }");
        failsWith(() -> load(Map.of("GENWAY_PORT", "http"), List.of()), "gateway.port: must be a whole number, was 'http' (set by GENWAY_PORT)");
        failsWith(() -> load(Map.of(), List.of(new Setting("gateway.port", 99999, "--port"))),
                "gateway.port: must be in [0, 65535], was 99999 (set by --port)");
        failsWith(() -> load(Map.of("GENWAY_TOPIC_PREFIX", "a/b"), List.of()),
                "kafka.topic_prefix: may hold only letters, digits, '.', '_' and '-', was 'a/b' (set by GENWAY_TOPIC_PREFIX)");
    }

    @Test
    void anUpstreamUrlTurnsTheBuiltInTextPoolRemote() {
        GenwayConfig config = load(Map.of("GENWAY_UPSTREAM_URL", "http://127.0.0.1:8000/v1", "GENWAY_UPSTREAM_API_KEY", "sk-1",
                "GENWAY_UPSTREAM_MODEL", "llama3.2"), List.of());

        PoolConfig text = config.pool("text").orElseThrow();
        assertThat(text.models()).containsExactly("llama3.2");
        assertThat(text.maxTokens()).isEqualTo(ConfigLoader.UPSTREAM_MAX_TOKENS);
        assertThat(text.engine()).isEqualTo(new EngineConfig.RemoteText(URI.create("http://127.0.0.1:8000/v1"), "sk-1", Map.of(),
                EngineConfig.RemoteText.DEFAULT_SLOTS, EngineConfig.RemoteText.DEFAULT_CONNECT_TIMEOUT, EngineConfig.RemoteText.DEFAULT_IDLE_TIMEOUT));
        assertThat(config.pool("image")).contains(GenwayConfig.DEFAULT.pool("image").orElseThrow());
    }

    @Test
    void theUpstreamModelDefaultsToDefault() {
        GenwayConfig config = load(Map.of("GENWAY_UPSTREAM_URL", "http://127.0.0.1:8000/v1"), List.of());
        assertThat(config.pool("text").orElseThrow().models()).containsExactly("default");
        assertThat(((EngineConfig.RemoteText) config.pool("text").orElseThrow().engine()).apiKey()).isNull();
    }

    @Test
    void anUpstreamUrlLeavesAConfigurationFileAlone() throws IOException {
        write("gateway: { port: 8081 }");
        GenwayConfig config = load(Map.of("GENWAY_UPSTREAM_URL", "http://127.0.0.1:8000/v1"), List.of());
        assertThat(config.pools()).isEqualTo(GenwayConfig.DEFAULT_POOLS);
    }

    @Test
    void aBadUpstreamUrlNamesTheVariable() {
        failsWith(() -> load(Map.of("GENWAY_UPSTREAM_URL", "localhost:8000"), List.of()),
                "pools[0].engine.base_url: must be an absolute http or https URL, was 'localhost:8000' (set by GENWAY_UPSTREAM_URL)");
    }

    @Test
    void replacesEnvironmentVariablesInValues() {
        var loader = new ConfigLoader(Map.of("KEY", "s3cret", "HOST", "vllm"), dir);
        GenwayConfig config = loader.parse("""
                pools:
                  - { name: t, modality: text, models: [a], engine: { type: remote, base_url: "http://${HOST}:8000/v1", api_key: "${KEY}" } }
                """, null, List.of());

        var engine = (EngineConfig.RemoteText) config.pools().getFirst().engine();
        assertThat(engine.baseUrl()).isEqualTo(URI.create("http://vllm:8000/v1"));
        assertThat(engine.apiKey()).isEqualTo("s3cret");
        assertThat(engine.toString()).doesNotContain("s3cret");
    }

    @Test
    void aMissingVariableInAValueIsAnError() {
        failsWith(() -> parse("gateway: { api_keys: [\"${NOPE}\"] }"), "gateway.api_keys[0]: ${NOPE} is not set in the environment (${NOPE:-} allows that)");
    }

    @Test
    void aVariableMayHaveAFallback() {
        GenwayConfig config = parse("kafka: { bootstrap_servers: \"${BROKERS:-kafka:9092}\", topic_prefix: \"${PREFIX:-}\" }");
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.kafka().topicPrefix()).isEmpty();
    }

    @Test
    void theKubernetesConfigMapHoldsAValidConfiguration() throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        String yaml = mapper.readTree(Path.of("k8s/configmap.yaml").toFile()).at("/data/genway.yaml").asText();

        GenwayConfig config = parse(yaml);

        assertThat(config.poolNames()).containsExactly("text", "image");
        assertThat(config.kafka().bootstrapServers()).isEqualTo("genway-kafka-bootstrap:9092");
        assertThat(((EngineConfig.RemoteText) config.requirePool("text").engine()).apiKey()).as("no key in the environment").isNull();
    }
}
