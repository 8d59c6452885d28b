package io.genway.gateway;

import io.genway.gateway.http.HttpApi;
import io.genway.gateway.http.Services;
import io.genway.gateway.jobs.DeadLetters;
import io.genway.gateway.jobs.JobService;
import io.genway.gateway.jobs.JobView;
import io.genway.gateway.kafka.EventHub;
import io.genway.gateway.kafka.Publisher;
import io.genway.gateway.kafka.ResultReader;
import io.genway.gateway.pools.PoolDirectory;
import io.genway.gateway.pools.PoolRouter;
import io.genway.schemas.PoolSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge. {@link #start} returns once the gateway serves requests (its job view rebuilt from Kafka); the
 * topics must exist already ({@link io.genway.schemas.TopicSetup}, which every role runs at start).
 * {@link #close} stops accepting, lets open streams end (up to a grace period) and closes its Kafka clients.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final Duration GRACE = Duration.ofSeconds(20);

    private final Vertx vertx;
    private final HttpServer server;
    private final Admin admin;
    private final Publisher publisher;
    private final EventHub hub;
    private final PoolDirectory directory;
    private final JobView jobs;
    private final ResultReader results;
    private final DeadLetters deadLetters;
    private volatile boolean closed;

    private Gateway(Vertx vertx, HttpServer server, Admin admin, Publisher publisher, EventHub hub, PoolDirectory directory,
                    JobView jobs, ResultReader results, DeadLetters deadLetters) {
        this.vertx = vertx;
        this.server = server;
        this.admin = admin;
        this.publisher = publisher;
        this.hub = hub;
        this.directory = directory;
        this.jobs = jobs;
        this.results = results;
        this.deadLetters = deadLetters;
    }

    public static Gateway start(GatewaySettings settings) {
        return start(settings, InstantSource.system());
    }

    public static Gateway start(GatewaySettings settings, InstantSource clock) {
        long t0 = System.nanoTime();
        // The job view takes longest (it reads the whole jobs topic): it rebuilds while the other clients start.
        JobView jobs = new JobView(settings.bootstrapServers(), settings.topics(), settings.kafka(), settings.stateDir());
        jobs.begin();
        Map<String, Object> adminProps = new HashMap<>(settings.kafka());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "genway-gateway-admin");
        Admin admin = Admin.create(adminProps);
        Vertx vertx = Vertx.vertx();
        Publisher publisher = new Publisher(vertx, settings.bootstrapServers(), settings.topics(), settings.kafka(),
                settings.pools().stream().map(PoolSpec::name).toList());
        PoolDirectory directory = new PoolDirectory(settings.pools(), settings.topics(), settings.bootstrapServers(),
                settings.kafka(), admin, clock, settings.workerTimeout());
        GatewayMetrics metrics = new GatewayMetrics(directory);
        EventHub hub = new EventHub(settings.bootstrapServers(), settings.topics().events(), settings.kafka(), metrics::produced);
        long clients = System.nanoTime();
        jobs.awaitCaughtUp(Duration.ofSeconds(120));
        long restored = System.nanoTime();
        ResultReader results = new ResultReader(settings.bootstrapServers(), settings.topics().results(), settings.kafka());
        DeadLetters deadLetters = new DeadLetters(settings.bootstrapServers(), settings.topics(),
                settings.pools().stream().map(PoolSpec::name).toList(), settings.kafka(), publisher, jobs, clock);
        Services services = new Services(vertx, settings, publisher, hub, new PoolRouter(directory),
                new JobService(vertx, publisher, jobs, clock), results, metrics, clock, new SplittableRandom(new SecureRandom().nextLong()));
        Gateway[] self = new Gateway[1];
        var router = HttpApi.router(services, () -> self[0] != null && !self[0].closed && jobs.running());
        HttpServer server;
        try {
            server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                            .setIdleTimeout(0).setTcpNoDelay(true))
                    .requestHandler(router)
                    .listen()
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        self[0] = new Gateway(vertx, server, admin, publisher, hub, directory, jobs, results, deadLetters);
        log.info("gateway serving pools {} on port {} ({} ms: Kafka clients {} ms, then waiting for the job view {} ms, the rest {} ms)",
                settings.pools().stream().map(PoolSpec::name).toList(), server.actualPort(), (System.nanoTime() - t0) / 1_000_000,
                (clients - t0) / 1_000_000, (restored - clients) / 1_000_000, (System.nanoTime() - restored) / 1_000_000);
        return self[0];
    }

    /** The bound HTTP port. */
    public int port() {
        return server.actualPort();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            // Stops accepting at once; requests in flight (open streams included) get the grace period to end.
            server.shutdown(GRACE.toMillis(), TimeUnit.MILLISECONDS).toCompletionStage().toCompletableFuture()
                    .get(GRACE.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP server did not shut down cleanly: {}", e.getMessage());
        }
        hub.close();
        deadLetters.close();
        directory.close();
        jobs.close();
        results.close();
        publisher.close();
        admin.close(Duration.ofSeconds(5));
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Vert.x did not close cleanly: {}", e.getMessage());
        }
        log.info("gateway stopped");
    }
}
