package io.genway.gateway;

import io.genway.broker.TestKafka;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.worker.Worker;
import io.genway.worker.WorkerSettings;
import io.genway.worker.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * A gateway and its workers on the shared test broker, under a topic prefix of their own: the whole system as a
 * client sees it, for one test class.
 */
final class Platform implements AutoCloseable {
    final Topics topics = new Topics(TestKafka.uniquePrefix());
    final List<PoolSpec> pools;
    final List<Worker> workers = new ArrayList<>();
    Gateway gateway;
    /** How often waiting streams get an SSE comment; null for the gateway's default. */
    Duration keepAlive;
    private final List<String> apiKeys;

    Platform(List<PoolSpec> pools, List<String> apiKeys, TopicSetup.Settings settings) {
        this.pools = pools;
        this.apiKeys = apiKeys;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            new TopicSetup(admin, topics, settings).ensure(pools.stream().map(PoolSpec::name).toList());
        }
    }

    Platform(List<PoolSpec> pools, List<String> apiKeys) {
        this(pools, apiKeys, TopicSetup.Settings.DEFAULT);
    }

    Platform(List<PoolSpec> pools) {
        this(pools, List.of());
    }

    Platform startGateway() {
        gateway = startAnotherGateway();
        return this;
    }

    /** One more gateway instance over the same topics, on a port of its own; the caller closes it. */
    Gateway startAnotherGateway() {
        return Gateway.start(new GatewaySettings(TestKafka.bootstrapServers(), topics, "127.0.0.1", 0, pools, apiKeys, 64 * 1024,
                Duration.ofSeconds(3), Map.of(), null, keepAlive));
    }

    Worker startWorker(String pool, String id, Engine engine) {
        PoolSpec spec = pools.stream().filter(p -> p.name().equals(pool)).findFirst().orElseThrow();
        Worker worker = Worker.start(new WorkerSettings(id, spec, TestKafka.bootstrapServers(), topics, 0,
                Duration.ofMillis(300), Duration.ofSeconds(5), Map.of()), engine);
        workers.add(worker);
        return worker;
    }

    String url(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    @Override
    public void close() {
        if (gateway != null) gateway.close();
        workers.forEach(Worker::close);
    }
}
