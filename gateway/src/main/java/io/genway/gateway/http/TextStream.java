package io.genway.gateway.http;

import io.genway.schemas.Cancel;
import io.genway.gateway.kafka.EventReplay;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Usage;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One text request from acceptance to its end, on the event loop of the client's connection: it receives the
 * request's events from the hub, forwards each output sequence number once (a redelivered attempt repeats the
 * numbers it already produced), and writes OpenAI's chunk format or, for {@code stream: false}, the whole object.
 */
final class TextStream {
    private static final long KEEPALIVE_MS = 10_000;

    private final Services services;
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Calls.Text call;
    private final GenerationRequest request;
    private final long acceptedAtNanos;
    private final long created;
    private final StringBuilder text = new StringBuilder();

    private List<StreamEvent> early;
    private EventsPosition position;
    private EventReplay replay;
    private boolean throttled;
    private boolean accepted;
    private boolean done;
    private long lastSeq;
    private long lastTokenAtNanos;
    private long keepalive = -1;
    private long deadline = -1;
    private boolean started;

    TextStream(Services services, RoutingContext ctx, Calls.Text call, GenerationRequest request, long acceptedAtNanos) {
        this.services = services;
        this.ctx = ctx;
        this.response = ctx.response();
        this.call = call;
        this.request = request;
        this.acceptedAtNanos = acceptedAtNanos;
        this.created = request.createdAtMs() / 1000;
    }

    /** Subscribes before the request is produced, so that no event of it can pass unseen. */
    void begin() {
        services.hub().subscribe(request.requestId(), services.vertx().getOrCreateContext(), this::onEvents);
        response.closeHandler(v -> onClientGone());
    }

    /** Kafka acknowledged the request: from now on it will be answered. Its events begin at {@code position}. */
    void accepted(EventsPosition position) {
        this.position = position;
        accepted = true;
        if (done) return;
        if (call.stream()) {
            Sse.open(response);
            write(chunk(call.kind() == RequestKind.CHAT ? new JsonObject().put("role", "assistant").put("content", "") : null, "", null), 0);
            keepalive = services.vertx().setPeriodic(KEEPALIVE_MS, id -> {
                if (!done && lastSeq == 0) response.write(Sse.comment("queued"));
            });
        }
        if (request.deadlineAtMs() > 0) {
            long wait = Math.max(1, request.deadlineAtMs() - services.clock().millis());
            deadline = services.vertx().setTimer(wait, id -> expireIfWaiting());
        }
        if (early != null) {
            List<StreamEvent> held = early;
            early = null;
            onEvents(held);
        }
    }

    void notAccepted(Throwable cause) {
        finishQuietly();
        if (!response.ended() && !response.closed()) {
            ApiError error = ApiError.unavailable("The request could not be queued: " + cause.getMessage(), "queue_unavailable");
            ctx.fail(error);
        }
    }

    private void onEvents(List<StreamEvent> events) {
        if (!accepted) {
            // The hub can be faster than the producer's acknowledgement: hold events until the answer has begun.
            if (early == null) early = new java.util.ArrayList<>();
            early.addAll(events);
            return;
        }
        for (StreamEvent event : events) {
            if (done) return;
            switch (event) {
                case StreamEvent.Started s -> {
                    if (!started) services.metrics().queueTime(request.pool(), System.nanoTime() - acceptedAtNanos);
                    started = true;
                }
                case StreamEvent.Tokens t -> {
                    if (t.seq() <= lastSeq) continue;
                    lastSeq = t.seq();
                    long now = System.nanoTime();
                    if (lastTokenAtNanos == 0) services.metrics().timeToFirstToken(request.pool(), now - acceptedAtNanos);
                    else services.metrics().interTokenLatency(request.pool(), now - lastTokenAtNanos);
                    lastTokenAtNanos = now;
                    if (call.stream()) {
                        JsonObject delta = call.kind() == RequestKind.CHAT ? new JsonObject().put("content", t.text()) : null;
                        write(chunk(delta, t.text(), null), t.seq());
                    } else {
                        text.append(t.text());
                    }
                }
                case StreamEvent.Completed c -> complete(c.finishReason(), c.usage(), c.seq());
                case StreamEvent.Failed f -> fail(f.error(), f.retriable(), f.seq());
                case StreamEvent.Cancelled c -> fail(new ErrorInfo("server_error", "The request was cancelled: " + c.reason(), "cancelled"), false, c.seq());
                default -> {
                    // Queued, progress and images do not concern a text stream.
                }
            }
        }
    }

    private void complete(FinishReason reason, Usage usage, long seq) {
        services.metrics().endToEnd(request.pool(), System.nanoTime() - acceptedAtNanos);
        services.metrics().outcome(request.pool(), "completed");
        finishQuietly();
        if (call.stream()) {
            JsonObject delta = call.kind() == RequestKind.CHAT ? new JsonObject() : null;
            write(chunk(delta, "", reason.wire()), seq);
            if (call.includeUsage()) {
                JsonObject last = base().put("choices", new JsonArray()).put("usage", TextApi.usage(usage));
                write(last, seq);
            }
            response.end("data: [DONE]\n\n");
        } else {
            JsonObject choice = new JsonObject().put("index", 0);
            if (call.kind() == RequestKind.CHAT) {
                choice.put("message", new JsonObject().put("role", "assistant").put("content", text.toString()));
            } else {
                choice.put("text", text.toString());
            }
            choice.put("logprobs", null).put("finish_reason", reason.wire());
            JsonObject body = base().put("choices", new JsonArray().add(choice)).put("usage", TextApi.usage(usage));
            response.putHeader("Content-Type", "application/json").end(body.encode());
        }
    }

    private void fail(ErrorInfo error, boolean retriable, long seq) {
        services.metrics().outcome(request.pool(), "failed");
        finishQuietly();
        JsonObject body = ApiError.body(error.message(), error.type(), null, error.code());
        if (call.stream()) {
            response.write(Sse.event(Long.toString(seq), null, body.encode()));
            response.end("data: [DONE]\n\n");
        } else {
            int status = switch (error.type()) {
                case "invalid_request_error" -> 400;
                case "timeout_error" -> 504;
                default -> retriable ? 503 : 500;
            };
            response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
        }
    }

    /**
     * The deadline passed and no worker has started the request: it expires now with a clear status rather than
     * run late, and the cancel makes the worker that eventually fetches it skip it.
     */
    private void expireIfWaiting() {
        if (done || started) return;
        services.publisher().cancel(new Cancel(request.requestId(), "deadline passed before start", services.clock().millis()));
        services.metrics().outcome(request.pool(), "expired");
        fail(new ErrorInfo("timeout_error", "The request's deadline passed before a worker could start it.", "deadline_exceeded"), false, 0);
    }

    /** The client went away before the end: cancel the work unless the request asked to continue. */
    private void onClientGone() {
        if (done) return;
        finishQuietly();
        services.metrics().outcome(request.pool(), "client_gone");
        if (accepted && !request.continueOnDisconnect()) {
            services.publisher().cancel(new Cancel(request.requestId(), "client disconnected", services.clock().millis()));
        }
    }

    private void finishQuietly() {
        done = true;
        if (replay != null) replay.close();
        services.hub().unsubscribe(request.requestId());
        if (keepalive >= 0) services.vertx().cancelTimer(keepalive);
        if (deadline >= 0) services.vertx().cancelTimer(deadline);
    }

    private JsonObject base() {
        boolean chat = call.kind() == RequestKind.CHAT;
        JsonObject o = new JsonObject().put("id", request.requestId())
                .put("object", chat ? (call.stream() ? "chat.completion.chunk" : "chat.completion") : "text_completion")
                .put("created", created).put("model", request.model());
        if (chat) o.put("system_fingerprint", null);
        return o;
    }

    private JsonObject chunk(JsonObject delta, String textDelta, String finishReason) {
        JsonObject choice = new JsonObject().put("index", 0);
        if (delta != null) choice.put("delta", delta);
        else choice.put("text", textDelta);
        choice.put("logprobs", null).put("finish_reason", finishReason);
        JsonObject chunk = base().put("choices", new JsonArray().add(choice));
        if (call.includeUsage()) chunk.put("usage", null);
        return chunk;
    }

    private void write(JsonObject data, long seq) {
        response.write(Sse.event(Long.toString(seq), null, data.encode()));
        if (!throttled && !done && response.writeQueueFull()) throttle();
    }

    /**
     * The client reads slower than tokens come. Rather than buffer without bound, the stream stops taking live
     * events and, once the client has drained what was written, reads the rest from the event log at the
     * client's pace (the log holds every event; forwarding by sequence number makes the switch seamless).
     */
    private void throttle() {
        throttled = true;
        services.hub().unsubscribe(request.requestId());
        services.metrics().streamThrottled(request.pool());
        response.drainHandler(v -> {
            if (done) return;
            io.vertx.core.Context context = services.vertx().getOrCreateContext();
            java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
            replay = new EventReplay(services.settings().bootstrapServers(), services.settings().topics().events(),
                    services.settings().kafka(), request.requestId(), position);
            EventReplay reader = replay;
            response.drainHandler(again -> paused.set(false));
            Thread.ofVirtual().name("genway-stream-replay").start(() -> reader.run(batch -> {
                while (paused.get() && !done) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return false;
                    }
                }
                context.runOnContext(x -> {
                    onEvents(batch);
                    if (!done && response.writeQueueFull()) paused.set(true);
                });
                return !done;
            }));
        });
    }
}
