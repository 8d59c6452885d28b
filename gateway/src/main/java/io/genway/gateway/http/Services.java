package io.genway.gateway.http;

import io.genway.gateway.GatewayMetrics;
import io.genway.gateway.GatewaySettings;
import io.genway.gateway.jobs.JobService;
import io.genway.gateway.kafka.EventHub;
import io.genway.gateway.kafka.Publisher;
import io.genway.gateway.kafka.ResultReader;
import io.genway.gateway.pools.PoolRouter;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import java.util.random.RandomGenerator;

/** What the HTTP handlers share; built once by the gateway. */
public record Services(
        Vertx vertx,
        GatewaySettings settings,
        Publisher publisher,
        EventHub hub,
        PoolRouter router,
        JobService jobs,
        ResultReader results,
        GatewayMetrics metrics,
        InstantSource clock,
        RandomGenerator random) {

    String newId(String prefix) {
        StringBuilder b = new StringBuilder(prefix);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < 24; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return b.toString();
    }

    long seedOr(Long given) {
        return given != null ? given : random.nextLong() & Long.MAX_VALUE;
    }

    long deadline(Double timeoutSeconds) {
        return timeoutSeconds == null ? 0 : clock.millis() + (long) Math.ceil(timeoutSeconds * 1000);
    }
}
