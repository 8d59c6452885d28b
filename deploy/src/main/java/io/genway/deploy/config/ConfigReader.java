package io.genway.deploy.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genway.llm.llama.Activations;
import io.genway.schemas.Modality;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The YAML tree (overrides already applied) to records, section by section, in the file's order. Each key's
 * default is the record's named default; each section rejects keys it does not know.
 */
final class ConfigReader {
    private ConfigReader() {
    }

    static GenwayConfig read(ObjectNode tree) {
        YamlSection root = YamlSection.root(tree);
        KafkaClientConfig kafka = readKafka(root.section("kafka"));
        GatewayConfig gateway = readGateway(root.section("gateway"));
        BrokerConfig broker = readBroker(root.section("broker"));
        TopicsConfig topics = readTopics(root.section("topics"));
        List<YamlSection> poolSections = root.sections("pools");
        List<PoolConfig> pools = poolSections == null ? GenwayConfig.DEFAULT_POOLS : poolSections.stream().map(ConfigReader::readPool).toList();
        root.rejectUnknown("section");
        return root.build(() -> new GenwayConfig(kafka, gateway, broker, topics, pools));
    }

    private static KafkaClientConfig readKafka(YamlSection s) {
        KafkaClientConfig d = KafkaClientConfig.DEFAULT;
        String bootstrap = s.string("bootstrap_servers", d.bootstrapServers());
        String prefix = s.string("topic_prefix", d.topicPrefix());
        Map<String, String> client = s.stringMap("client", d.client());
        s.rejectUnknown("key");
        return s.build(() -> new KafkaClientConfig(bootstrap, prefix, client));
    }

    private static GatewayConfig readGateway(YamlSection s) {
        GatewayConfig d = GatewayConfig.DEFAULT;
        String host = s.string("host", d.host());
        int port = s.integer("port", d.port());
        List<String> keys = s.strings("api_keys", d.apiKeys());
        long maxBody = s.longValue("max_body_bytes", d.maxBodyBytes());
        Duration workerTimeout = s.duration("worker_timeout", d.workerTimeout());
        Duration keepAlive = s.duration("keep_alive", d.keepAlive());
        Path stateDir = s.pathValue("state_dir", d.stateDir());
        s.rejectUnknown("key");
        return s.build(() -> new GatewayConfig(host, port, keys, maxBody, workerTimeout, keepAlive, stateDir));
    }

    private static BrokerConfig readBroker(YamlSection s) {
        BrokerConfig d = BrokerConfig.DEFAULT;
        Path dataDir = s.pathValue("data_dir", d.dataDir());
        int port = s.integer("port", d.port());
        Map<String, String> settings = s.stringMap("settings", d.settings());
        s.rejectUnknown("key");
        return s.build(() -> new BrokerConfig(dataDir, port, settings));
    }

    private static TopicsConfig readTopics(YamlSection s) {
        TopicsConfig d = TopicsConfig.DEFAULT;
        int requestPartitions = s.integer("request_partitions", d.requestPartitions());
        int eventPartitions = s.integer("event_partitions", d.eventPartitions());
        Duration lease = s.duration("lease_duration", d.leaseDuration());
        int deliveryLimit = s.integer("delivery_limit", d.deliveryLimit());
        Duration retention = s.duration("event_retention", d.eventRetention());
        s.rejectUnknown("key");
        return s.build(() -> new TopicsConfig(requestPartitions, eventPartitions, lease, deliveryLimit, retention));
    }

    private static PoolConfig readPool(YamlSection s) {
        String name = s.string("name", null);
        Modality modality = modality(s);
        List<String> models = s.strings("models", null);
        int maxBacklog = s.integer("max_backlog", PoolConfig.DEFAULT_MAX_BACKLOG);
        int maxTokens = s.integer("max_tokens", modality == null ? 1 : PoolConfig.defaultMaxTokens(modality));
        int workers = s.integer("workers", PoolConfig.DEFAULT_WORKERS);
        Duration drain = s.duration("drain_timeout", PoolConfig.DEFAULT_DRAIN_TIMEOUT);
        YamlSection engineSection = s.section("engine");
        EngineConfig engine = modality == null ? null : readEngine(engineSection, modality);
        s.rejectUnknown("key");
        return s.build(() -> new PoolConfig(name, modality, models, maxBacklog, maxTokens, workers, drain, engine));
    }

    private static Modality modality(YamlSection s) {
        String m = s.string("modality", null);
        if (m == null) return null;
        return switch (m.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> Modality.TEXT;
            case "image" -> Modality.IMAGE;
            default -> throw new ConfigException(s.path("modality"), "must be one of text, image, was '" + m + "'");
        };
    }

    private static EngineConfig readEngine(YamlSection s, Modality modality) {
        if (!s.present()) return PoolConfig.defaultEngine(modality);
        String type = s.string("type", null);
        List<String> types = EngineConfig.types(modality);
        if (type == null) throw new ConfigException(s.path("type"), "required: one of " + String.join(", ", types));
        if (!types.contains(type)) {
            throw new ConfigException(s.path("type"), "unknown engine type '" + type + "' for modality " + modality.wireName()
                    + " (" + modality.wireName() + " engines: " + String.join(", ", types) + ")");
        }
        EngineConfig engine = switch (modality) {
            case TEXT -> switch (type) {
                case EngineConfig.RemoteText.TYPE -> remoteText(s);
                case EngineConfig.NativeText.TYPE -> nativeText(s);
                default -> syntheticText(s);
            };
            case IMAGE -> type.equals(EngineConfig.NativeImage.TYPE) ? nativeImage(s) : syntheticImage(s);
        };
        return engine;
    }

    private static EngineConfig syntheticText(YamlSection s) {
        var d = EngineConfig.SyntheticText.DEFAULT;
        int slots = s.integer("slots", d.slots());
        Duration first = s.duration("first_token_delay", d.firstTokenDelay());
        Duration each = s.duration("token_delay", d.tokenDelay());
        s.rejectUnknown("option for engine type synthetic");
        return s.build(() -> new EngineConfig.SyntheticText(slots, first, each));
    }

    private static EngineConfig remoteText(YamlSection s) {
        URI baseUrl = s.uri("base_url");
        String apiKey = s.string("api_key", null);
        Map<String, String> modelMap = s.stringMap("model_map", Map.of());
        int slots = s.integer("slots", EngineConfig.RemoteText.DEFAULT_SLOTS);
        Duration connect = s.duration("connect_timeout", EngineConfig.RemoteText.DEFAULT_CONNECT_TIMEOUT);
        Duration idle = s.duration("idle_timeout", EngineConfig.RemoteText.DEFAULT_IDLE_TIMEOUT);
        s.rejectUnknown("option for engine type remote");
        return s.build(() -> new EngineConfig.RemoteText(baseUrl, apiKey, modelMap, slots, connect, idle));
    }

    private static EngineConfig nativeText(YamlSection s) {
        java.nio.file.Path model = s.pathValue("model", null);
        int slots = s.integer("slots", EngineConfig.NativeText.DEFAULT_SLOTS);
        int context = s.integer("context_length", 0);
        long kvBudget = s.bytes("kv_budget", EngineConfig.NativeText.DEFAULT_KV_BUDGET);
        int prefillChunk = s.integer("prefill_chunk", EngineConfig.NativeText.DEFAULT_PREFILL_CHUNK);
        String activations = s.string("activations", "auto");
        s.rejectUnknown("option for engine type native");
        return s.build(() -> {
            Activations parsed;
            try {
                parsed = Activations.parse(activations, slots);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("activations", e.getMessage());
            }
            return new EngineConfig.NativeText(model, slots, context, kvBudget, prefillChunk, parsed);
        });
    }

    private static EngineConfig nativeImage(YamlSection s) {
        java.nio.file.Path model = s.pathValue("model", null);
        int slots = s.integer("slots", EngineConfig.NativeImage.DEFAULT_SLOTS);
        int maxBatch = s.integer("max_batch", EngineConfig.NativeImage.DEFAULT_MAX_BATCH);
        String sampler = s.string("sampler", null);
        s.rejectUnknown("option for engine type native");
        return s.build(() -> new EngineConfig.NativeImage(model, slots, maxBatch, sampler));
    }

    private static EngineConfig syntheticImage(YamlSection s) {
        var d = EngineConfig.SyntheticImage.DEFAULT;
        int slots = s.integer("slots", d.slots());
        Duration step = s.duration("step_delay", d.stepDelay());
        s.rejectUnknown("option for engine type synthetic");
        return s.build(() -> new EngineConfig.SyntheticImage(slots, step));
    }
}
