package io.genway.gateway.http;

import io.genway.gateway.pools.PoolView;
import io.genway.schemas.Heartbeat;
import io.genway.schemas.PoolSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/** Models, pools, health and metrics. */
final class OpsApi {
    private final Services services;
    private final BooleanSupplier ready;

    OpsApi(Services services, BooleanSupplier ready) {
        this.services = services;
        this.ready = ready;
    }

    void models(RoutingContext ctx) {
        JsonArray data = new JsonArray();
        for (PoolSpec pool : services.router().directory().specs()) {
            for (String model : pool.models()) {
                data.add(new JsonObject().put("id", model).put("object", "model").put("created", 0).put("owned_by", "genway")
                        .put("pool", pool.name()).put("modality", pool.modality().wireName()));
            }
        }
        JobApi.json(ctx.response(), 200, new JsonObject().put("object", "list").put("data", data));
    }

    void pools(RoutingContext ctx) {
        JsonArray data = new JsonArray();
        long now = services.clock().millis();
        for (PoolSpec spec : services.router().directory().specs()) {
            PoolView view = services.router().directory().view(spec.name());
            JsonArray workers = new JsonArray();
            double first = 0;
            double per = 0;
            for (Heartbeat h : view.workers()) {
                workers.add(new JsonObject().put("id", h.workerId()).put("engine", h.engine()).put("models", new JsonArray(h.models()))
                        .put("slots", h.slots()).put("busy", h.busy()).put("seconds_since_heartbeat", (now - h.atMs()) / 1000.0)
                        .put("free_memory_bytes", h.freeMemoryBytes()).put("kv_bytes_per_token", h.kvBytesPerToken())
                        .put("completed", h.profile().completed()));
                if (!h.stepMs().isEmpty()) workers.getJsonObject(workers.size() - 1).put("step_ms_by_shape", new JsonObject(new java.util.TreeMap<>(h.stepMs())));
                first = Math.max(first, h.profile().firstOutputMs());
                per = Math.max(per, h.profile().perOutputMs());
            }
            JsonObject timings = new JsonObject().put("service_ms", view.serviceMs())
                    .put(spec.modality() == io.genway.schemas.Modality.TEXT ? "time_to_first_token_ms" : "first_step_ms", first)
                    .put(spec.modality() == io.genway.schemas.Modality.TEXT ? "time_per_output_token_ms" : "step_ms", per)
                    .put("completed_per_second", view.drainRate());
            data.add(new JsonObject().put("name", spec.name()).put("modality", spec.modality().wireName())
                    .put("models", new JsonArray(spec.models())).put("live_workers", view.liveWorkers())
                    .put("slots", view.slots()).put("in_flight", view.inFlight()).put("backlog", view.queued())
                    .put("max_backlog", spec.maxBacklog()).put("timings", timings).put("workers", workers));
        }
        JobApi.json(ctx.response(), 200, new JsonObject().put("object", "list").put("data", data));
    }

    void live(RoutingContext ctx) {
        JobApi.json(ctx.response(), 200, new JsonObject().put("status", "up"));
    }

    void ready(RoutingContext ctx) {
        boolean ok = ready.getAsBoolean();
        JobApi.json(ctx.response(), ok ? 200 : 503, new JsonObject().put("status", ok ? "ready" : "not ready"));
    }

    void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(services.metrics().scrape());
    }
}
