package io.genway.gateway.http;

import io.genway.gateway.kafka.EventReplay;
import io.genway.gateway.pools.Admission;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.JobStatus;
import io.genway.schemas.Modality;
import io.genway.schemas.RequestKind;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/** The job API: accept, look up, follow, fetch the result of, and cancel jobs of either modality. */
final class JobApi {
    private final Services services;
    private final TextApi text;

    JobApi(Services services, TextApi text) {
        this.services = services;
        this.text = text;
    }

    /** {@code POST /v1/jobs}: the body of the matching endpoint plus {@code type} (chat, completion, image). */
    void create(RoutingContext ctx) {
        JsonObject body = Bodies.json(ctx);
        RequestKind kind = kind(body);
        String owner = Auth.owner(ctx);
        String timeout = ctx.request().getHeader(Calls.TIMEOUT_HEADER);
        GenerationRequest request;
        Admission.Admitted admitted;
        if (kind == RequestKind.IMAGE) {
            Calls.Image call = Calls.image(body, timeout);
            if (call.stream()) throw ApiError.invalid("stream", "A job is not streamed: follow GET /v1/jobs/{id}/events instead.");
            admitted = Rejections.admitted(services.router().admit(Modality.IMAGE, call.model(), call.steps()));
            request = ImageApi.request(services, call, admitted, owner, services.newId("job-"));
        } else {
            Calls.Text call = kind == RequestKind.CHAT ? Calls.chat(body, timeout) : Calls.completion(body, timeout);
            if (call.stream()) throw ApiError.invalid("stream", "A job is not streamed: follow GET /v1/jobs/{id}/events instead.");
            admitted = Rejections.admitted(services.router().admit(Modality.TEXT, call.model(), Calls.units(call)));
            request = text.request(call, admitted, owner, services.newId("job-"), true);
        }
        services.jobs().accept(request, (long) admitted.view().etaMs(Calls.units(request))).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ApiError.unavailable("The job could not be queued: " + ar.cause().getMessage(), "queue_unavailable"));
                return;
            }
            services.router().directory().accepted(request.pool());
            JsonObject view = JobViews.job(ar.result(), services.clock().millis());
            ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                    .putHeader("Location", "/v1/jobs/" + request.requestId()).end(view.encode());
        });
    }

    void get(RoutingContext ctx) {
        JobState job = owned(ctx);
        json(ctx.response(), 200, JobViews.job(job, services.clock().millis()));
    }

    void cancel(RoutingContext ctx) {
        JobState job = owned(ctx);
        if (job.status().terminal()) {
            json(ctx.response(), 200, JobViews.job(job, services.clock().millis()).put("cancel", "noop: the job had already ended"));
            return;
        }
        services.jobs().cancel(job, "cancelled by client").onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ApiError.unavailable("The cancel could not be published: " + ar.cause().getMessage(), "queue_unavailable"));
                return;
            }
            JobState after = ar.result();
            boolean immediate = after.status() == JobStatus.CANCELLED;
            JsonObject view = JobViews.job(after, services.clock().millis())
                    .put("cancel", immediate ? "cancelled before it started" : "requested: the worker stops within one step");
            json(ctx.response(), immediate ? 200 : 202, view);
        });
    }

    /** {@code GET /v1/jobs/{id}/result[?index=i]}: the image (PNG) or the text completion (JSON). */
    void result(RoutingContext ctx) {
        JobState job = owned(ctx);
        if (job.status() != JobStatus.COMPLETED) {
            String why = job.status() == JobStatus.FAILED || job.status() == JobStatus.CANCELLED
                    ? "Job " + job.jobId() + " ended " + job.status().wire() + " and has no result."
                    : "Job " + job.jobId() + " is " + job.status().wire() + "; its result is not ready yet.";
            throw ApiError.of(409, "invalid_request_error", why, null, "result_not_ready");
        }
        int index = index(ctx, job.results().size());
        ResultRef ref = job.results().get(index);
        services.vertx().executeBlocking(() -> services.results().read(ref)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ApiError.unavailable("The result could not be read: " + ar.cause().getMessage(), "results_unavailable"));
            } else if (ar.result() == null) {
                ctx.fail(ApiError.of(410, "invalid_request_error", "The result of job " + job.jobId() + " is no longer stored.", null, "result_expired"));
            } else {
                ctx.response().putHeader("Content-Type", ref.contentType())
                        .putHeader("Cache-Control", "private, max-age=86400, immutable")
                        .end(Buffer.buffer(ar.result()));
            }
        });
    }

    /**
     * {@code GET /v1/jobs/{id}/events}: the job's events from its start (or after {@code Last-Event-ID}), then the
     * live tail, until it ends. Read from Kafka by the job's own reader, throttled by the client's write queue.
     */
    void events(RoutingContext ctx) {
        JobState job = owned(ctx);
        if (job.events() == null) throw ApiError.notFound("Job " + job.jobId() + " has no event log.", null, "no_events");
        long after = lastEventId(ctx);
        HttpServerResponse response = ctx.response();
        Sse.open(response);
        response.write(Sse.comment("job " + job.jobId()));
        Context context = services.vertx().getOrCreateContext();
        AtomicBoolean gone = new AtomicBoolean();
        AtomicBoolean paused = new AtomicBoolean();
        long[] lastContent = {after};
        EventReplay replay = new EventReplay(services.settings().bootstrapServers(), services.settings().topics().events(),
                services.settings().kafka(), job.jobId(), job.events());
        long keepalive = services.vertx().setPeriodic(services.settings().keepAlive().toMillis(), id -> {
            if (!gone.get() && !response.ended()) response.write(Sse.comment("keep-alive"));
        });
        response.closeHandler(v -> {
            gone.set(true);
            replay.close();
        });
        response.drainHandler(v -> paused.set(false));
        Thread.ofVirtual().name("genway-job-events").start(() -> {
            replay.run(batch -> {
                while (paused.get() && !gone.get()) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return false;
                    }
                }
                if (batch.stream().anyMatch(StreamEvent::terminal)) {
                    // a client that sees the end fetches the result next: let the job view show the end first
                    try {
                        services.jobs().settled(job.jobId(), ImageApi.SETTLE_TIMEOUT).toCompletionStage().toCompletableFuture().get();
                    } catch (InterruptedException e) {
                        return false;
                    } catch (ExecutionException e) {
                        // settled never fails; go on with the events either way
                    }
                }
                context.runOnContext(v -> {
                    if (gone.get() || response.ended()) return;
                    for (StreamEvent e : batch) {
                        if (e.content() ? e.seq() <= lastContent[0] : e.seq() < lastContent[0]) continue;
                        if (e.content()) lastContent[0] = e.seq();
                        response.write(Sse.event(Long.toString(e.seq()), JobViews.eventName(e), JobViews.event(e).encode()));
                    }
                    if (response.writeQueueFull()) paused.set(true);
                });
                return !gone.get();
            });
            context.runOnContext(v -> {
                services.vertx().cancelTimer(keepalive);
                if (!response.ended() && !response.closed()) response.end();
            });
        });
    }

    private JobState owned(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JobState job = services.jobs().find(id).orElse(null);
        // Another key's job answers exactly as a missing one, so ids cannot be probed.
        if (job == null || !job.owner().equals(Auth.owner(ctx))) {
            throw ApiError.notFound("No job with id '" + id + "'.", "id", "job_not_found");
        }
        return job;
    }

    private static RequestKind kind(JsonObject body) {
        Object type = body.getValue("type");
        if (type == null) {
            if (body.containsKey("messages")) return RequestKind.CHAT;
            throw ApiError.invalid("type", "'type' is required: one of chat, completion, image.", "missing_required_parameter");
        }
        if (!(type instanceof String s)) throw ApiError.invalid("type", "'type' must be a string.", "invalid_type");
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "chat" -> RequestKind.CHAT;
            case "completion" -> RequestKind.COMPLETION;
            case "image" -> RequestKind.IMAGE;
            default -> throw ApiError.invalid("type", "'type' must be one of chat, completion, image; got '" + s + "'.");
        };
    }

    private static int index(RoutingContext ctx, int count) {
        List<String> values = ctx.queryParam("index");
        if (values.isEmpty()) return 0;
        try {
            int i = Integer.parseInt(values.getFirst());
            if (i >= 0 && i < count) return i;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiError.invalid("index", "'index' must be an integer from 0 to " + (count - 1) + ".");
    }

    private static long lastEventId(RoutingContext ctx) {
        String raw = ctx.request().getHeader("Last-Event-ID");
        if (raw == null) raw = ctx.request().getParam("last_event_id");
        if (raw == null || raw.isBlank()) return -1;
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiError.invalid("Last-Event-ID", "'Last-Event-ID' must be an event id this API sent (an integer).");
        }
    }

    static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
