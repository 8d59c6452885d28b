package io.genway.gateway.http;

import io.genway.schemas.Cancel;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code POST /v1/images/generations} with {@code stream: true}, in OpenAI's image stream format: each preview the
 * worker made ({@code partial_images}) becomes an {@code image_generation.partial_image} event, and once the job
 * completes each finished image an {@code image_generation.completed} event; then the response ends. Failures
 * after the stream began are an {@code error} event.
 *
 * <p>Runs on the event loop of the client's connection. A redelivered attempt repeats the sequence numbers it
 * already produced, so each is forwarded once. The stream needs no throttling: it writes at most three small
 * previews and {@code n} images, all of which the gateway holds anyway.
 */
final class ImageStream {
    private final Services services;
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final GenerationRequest request;
    private final long acceptedAtNanos;
    private final TreeMap<Integer, ResultRef> images = new TreeMap<>();

    private List<StreamEvent> early;
    private boolean accepted;
    private boolean done;
    private long lastSeq;
    private int partials;
    private long keepalive = -1;

    ImageStream(Services services, RoutingContext ctx, GenerationRequest request, long acceptedAtNanos) {
        this.services = services;
        this.ctx = ctx;
        this.response = ctx.response();
        this.request = request;
        this.acceptedAtNanos = acceptedAtNanos;
    }

    /** Subscribes before the request is produced, so that no event of it can pass unseen. */
    void begin() {
        services.hub().subscribe(request.requestId(), services.vertx().getOrCreateContext(), this::onEvents);
        response.closeHandler(v -> onClientGone());
    }

    /** Kafka acknowledged the request: the stream begins. */
    void accepted() {
        accepted = true;
        if (done) return;
        Sse.open(response);
        response.write(Sse.comment("image " + request.requestId()));
        keepalive = services.vertx().setPeriodic(services.settings().keepAlive().toMillis(), id -> {
            if (!done) response.write(Sse.comment("keep-alive"));
        });
        if (early != null) {
            List<StreamEvent> held = early;
            early = null;
            onEvents(held);
        }
    }

    void notAccepted(Throwable cause) {
        finishQuietly();
        if (!response.ended() && !response.closed()) {
            ctx.fail(ApiError.unavailable("The image request could not be queued: " + cause.getMessage(), "queue_unavailable"));
        }
    }

    private void onEvents(List<StreamEvent> events) {
        if (!accepted) {
            // The hub can be faster than the producer's acknowledgement: hold events until the answer has begun.
            if (early == null) early = new ArrayList<>();
            early.addAll(events);
            return;
        }
        for (StreamEvent event : events) {
            if (done) return;
            if (!event.content()) continue;
            if (event.seq() <= lastSeq) continue;
            lastSeq = event.seq();
            switch (event) {
                case StreamEvent.Progress p when p.preview() != null -> response.write(Sse.event(null,
                        "image_generation.partial_image", image("image_generation.partial_image", p.preview())
                                .put("partial_image_index", partials++).encode()));
                case StreamEvent.ImageReady ready -> images.put(ready.index(), ready.ref());
                case StreamEvent.Completed c -> complete();
                case StreamEvent.Failed f -> fail(f.error(), "failed");
                case StreamEvent.Cancelled c -> fail(new ErrorInfo("server_error", "The image request was cancelled: "
                        + c.reason(), "cancelled"), "cancelled");
                default -> {
                    // progress without a preview: the stream has nothing to show for it
                }
            }
        }
    }

    /** Reads the finished images from the results topic (blocking, so off the event loop) and sends them. */
    private void complete() {
        finishQuietly();
        List<ResultRef> refs = new ArrayList<>(images.values());
        Future<List<byte[]>> bytes = services.vertx().executeBlocking(() -> services.results().readAll(refs));
        bytes.onComplete(ar -> {
            if (response.closed()) return;
            if (ar.failed()) {
                error(new ErrorInfo("server_error", "The images could not be read: " + ar.cause().getMessage(), "results_unavailable"));
                services.metrics().outcome(request.pool(), "failed");
                return;
            }
            services.metrics().endToEnd(request.pool(), System.nanoTime() - acceptedAtNanos);
            services.metrics().outcome(request.pool(), "completed");
            for (byte[] png : ar.result()) {
                response.write(Sse.event(null, "image_generation.completed", image("image_generation.completed", png).encode()));
            }
            response.end();
        });
    }

    private void fail(ErrorInfo error, String outcome) {
        finishQuietly();
        services.metrics().outcome(request.pool(), outcome);
        error(error);
    }

    private void error(ErrorInfo error) {
        JsonObject body = ApiError.body(error.message(), error.type(), null, error.code()).put("type", "error");
        response.end(Sse.event(null, "error", body.encode()));
    }

    /** The fields OpenAI's partial and completed image events share. */
    private JsonObject image(String type, byte[] png) {
        return new JsonObject().put("type", type).put("b64_json", Base64.getEncoder().encodeToString(png))
                .put("created_at", services.clock().millis() / 1000).put("size", request.image().size())
                .put("background", "opaque").put("output_format", "png");
    }

    /** The client went away before the end: its image is not wanted any more. */
    private void onClientGone() {
        if (done) return;
        finishQuietly();
        services.metrics().outcome(request.pool(), "client_gone");
        // Published even before Kafka acknowledged the request, as the synchronous answer does: nobody waits for it.
        services.publisher().cancel(new Cancel(request.requestId(), "client disconnected", services.clock().millis()));
    }

    private void finishQuietly() {
        done = true;
        services.hub().unsubscribe(request.requestId());
        if (keepalive >= 0) services.vertx().cancelTimer(keepalive);
    }
}
