package io.genway.gateway;

import io.genway.gateway.pools.PoolDirectory;
import io.genway.schemas.PoolSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The gateway's Prometheus metrics, per pool: what a client waits for and what the pools produce. */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public GatewayMetrics(PoolDirectory pools) {
        for (PoolSpec spec : pools.specs()) {
            Gauge.builder("genway.pool.backlog", pools, d -> d.view(spec.name()).queued())
                    .description("Requests accepted into the pool's queue and not yet started")
                    .tag("pool", spec.name()).register(registry);
            Gauge.builder("genway.pool.in.flight", pools, d -> d.view(spec.name()).inFlight())
                    .description("Requests the pool's workers are running").tag("pool", spec.name()).register(registry);
            Gauge.builder("genway.pool.live.workers", pools, d -> d.view(spec.name()).liveWorkers())
                    .description("Workers whose heartbeat is fresh").tag("pool", spec.name()).register(registry);
        }
    }

    /** From acceptance to the first token on the client's stream. */
    public void timeToFirstToken(String pool, long nanos) {
        timer("genway.time.to.first.token", pool, "From acceptance to the first token sent to the client").record(nanos, TimeUnit.NANOSECONDS);
    }

    public void interTokenLatency(String pool, long nanos) {
        timer("genway.inter.token.latency", pool, "Between consecutive token events sent to a client").record(nanos, TimeUnit.NANOSECONDS);
    }

    /** From acceptance to a worker starting the request. */
    public void queueTime(String pool, long nanos) {
        timer("genway.queue.time", pool, "From acceptance to a worker starting the request").record(nanos, TimeUnit.NANOSECONDS);
    }

    public void endToEnd(String pool, long nanos) {
        timer("genway.e2e.latency", pool, "From acceptance to the request's terminal event").record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts what the pools produced, from the event log: every gateway instance sees every event, so each reports
     * the cluster's totals (aggregate instances with max, not sum).
     */
    public void produced(String pool, String type) {
        switch (type) {
            case "tokens" -> counter("genway.tokens.produced", pool, "Token events written by the pool's workers").increment();
            case "image_ready" -> counter("genway.images.produced", pool, "Images finished by the pool's workers").increment();
            default -> {
                // other events are counted through the request outcomes
            }
        }
    }

    /** A stream whose client read slower than its tokens came, switched to reading the event log at its pace. */
    public void streamThrottled(String pool) {
        counter("genway.streams.throttled", pool, "Streams switched to replay from Kafka because their client read slowly").increment();
    }

    public void outcome(String pool, String outcome) {
        counters.computeIfAbsent("requests|" + pool + "|" + outcome, k -> Counter.builder("genway.requests")
                .description("Requests by how they ended").tag("pool", pool).tag("outcome", outcome).register(registry)).increment();
    }

    public String scrape() {
        return registry.scrape();
    }

    private Timer timer(String name, String pool, String description) {
        return timers.computeIfAbsent(name + "|" + pool, k -> Timer.builder(name).description(description).tag("pool", pool)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
    }

    private Counter counter(String name, String pool, String description) {
        return counters.computeIfAbsent(name + "|" + pool, k -> Counter.builder(name).description(description).tag("pool", pool).register(registry));
    }
}
