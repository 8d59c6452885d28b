package io.genway.gateway.http;

import io.genway.schemas.Cancel;
import io.genway.gateway.kafka.EventReplay;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.StreamOrigin;
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
    private final Services services;
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final String requestId;
    private final StreamOrigin origin;
    private final boolean stream;
    private final long deadlineAtMs;
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
    private boolean resumed;

    private TextStream(Services services, RoutingContext ctx, String requestId, StreamOrigin origin, boolean stream,
                       long deadlineAtMs, long acceptedAtNanos) {
        this.services = services;
        this.ctx = ctx;
        this.response = ctx.response();
        this.requestId = requestId;
        this.origin = origin;
        this.stream = stream;
        this.deadlineAtMs = deadlineAtMs;
        this.acceptedAtNanos = acceptedAtNanos;
        this.created = origin.createdAtMs() / 1000;
    }

    /** A new request's answer: call {@link #begin} before producing the request, then {@link #accepted}. */
    static TextStream of(Services services, RoutingContext ctx, Calls.Text call, GenerationRequest request, long acceptedAtNanos) {
        return new TextStream(services, ctx, request.requestId(), origin(call, request), call.stream(), request.deadlineAtMs(), acceptedAtNanos);
    }

    /** What the request's queued event records, so that another gateway can resume the stream. */
    static StreamOrigin origin(Calls.Text call, GenerationRequest request) {
        return new StreamOrigin(request.owner(), call.kind(), request.pool(), request.model(), request.createdAtMs(),
                call.includeUsage(), request.continueOnDisconnect());
    }

    /**
     * A stream a client reconnects to, possibly on a gateway that never saw it: every event after {@code cursor}
     * is read from the log at the client's pace and then the live tail, until the request ends.
     */
    static void resume(Services services, RoutingContext ctx, String requestId, StreamOrigin origin, StreamCursor cursor, EventReplay replay) {
        TextStream s = new TextStream(services, ctx, requestId, origin, true, 0, System.nanoTime());
        s.position = cursor.position();
        s.lastSeq = cursor.seq();
        s.accepted = true;
        s.started = true;
        s.resumed = true;
        s.throttled = true;
        s.response.closeHandler(v -> s.onClientGone());
        Sse.open(s.response);
        s.response.write(Sse.comment("resumed after " + cursor.wire()));
        s.replayFrom(replay);
    }

    /** Subscribes before the request is produced, so that no event of it can pass unseen. */
    void begin() {
        services.hub().subscribe(requestId, services.vertx().getOrCreateContext(), this::onEvents);
        response.closeHandler(v -> onClientGone());
    }

    /** Kafka acknowledged the request: from now on it will be answered. Its events begin at {@code position}. */
    void accepted(EventsPosition position) {
        this.position = position;
        accepted = true;
        if (done) return;
        if (stream) {
            Sse.open(response);
            write(chunk(origin.kind() == RequestKind.CHAT ? new JsonObject().put("role", "assistant").put("content", "") : null, "", null), 0);
            keepalive = services.vertx().setPeriodic(services.settings().keepAlive().toMillis(), id -> {
                if (!done && lastSeq == 0) response.write(Sse.comment("queued"));
            });
        }
        if (deadlineAtMs > 0) {
            long wait = Math.max(1, deadlineAtMs - services.clock().millis());
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
                    if (!started) services.metrics().queueTime(origin.pool(), System.nanoTime() - acceptedAtNanos);
                    started = true;
                }
                case StreamEvent.Tokens t -> {
                    if (t.seq() <= lastSeq) continue;
                    lastSeq = t.seq();
                    long now = System.nanoTime();
                    if (resumed) {
                        // a resumed stream's latencies are those of the log replay, not of the request
                    } else if (lastTokenAtNanos == 0) {
                        services.metrics().timeToFirstToken(origin.pool(), now - acceptedAtNanos);
                    } else {
                        services.metrics().interTokenLatency(origin.pool(), now - lastTokenAtNanos);
                    }
                    lastTokenAtNanos = now;
                    if (stream) {
                        JsonObject delta = origin.kind() == RequestKind.CHAT ? new JsonObject().put("content", t.text()) : null;
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
        if (!resumed) services.metrics().endToEnd(origin.pool(), System.nanoTime() - acceptedAtNanos);
        services.metrics().outcome(origin.pool(), "completed");
        finishQuietly();
        if (stream) {
            JsonObject delta = origin.kind() == RequestKind.CHAT ? new JsonObject() : null;
            write(chunk(delta, "", reason.wire()), seq);
            if (origin.includeUsage()) {
                JsonObject last = base().put("choices", new JsonArray()).put("usage", TextApi.usage(usage));
                write(last, seq);
            }
            response.end("data: [DONE]\n\n");
        } else {
            JsonObject choice = new JsonObject().put("index", 0);
            if (origin.kind() == RequestKind.CHAT) {
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
        services.metrics().outcome(origin.pool(), "failed");
        finishQuietly();
        JsonObject body = ApiError.body(error.message(), error.type(), null, error.code());
        if (stream) {
            response.write(Sse.event(new StreamCursor(position, seq).wire(), null, body.encode()));
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
        services.publisher().cancel(new Cancel(requestId, "deadline passed before start", services.clock().millis()));
        services.metrics().outcome(origin.pool(), "expired");
        fail(new ErrorInfo("timeout_error", "The request's deadline passed before a worker could start it.", "deadline_exceeded"), false, 0);
    }

    /** The client went away before the end: cancel the work unless the request asked to continue. */
    private void onClientGone() {
        if (done) return;
        finishQuietly();
        services.metrics().outcome(origin.pool(), "client_gone");
        if (accepted && !origin.continueOnDisconnect()) {
            services.publisher().cancel(new Cancel(requestId, "client disconnected", services.clock().millis()));
        }
    }

    private void finishQuietly() {
        done = true;
        if (replay != null) replay.close();
        services.hub().unsubscribe(requestId);
        if (keepalive >= 0) services.vertx().cancelTimer(keepalive);
        if (deadline >= 0) services.vertx().cancelTimer(deadline);
    }

    private JsonObject base() {
        boolean chat = origin.kind() == RequestKind.CHAT;
        JsonObject o = new JsonObject().put("id", requestId)
                .put("object", chat ? (stream ? "chat.completion.chunk" : "chat.completion") : "text_completion")
                .put("created", created).put("model", origin.model());
        if (chat) o.put("system_fingerprint", null);
        return o;
    }

    private JsonObject chunk(JsonObject delta, String textDelta, String finishReason) {
        JsonObject choice = new JsonObject().put("index", 0);
        if (delta != null) choice.put("delta", delta);
        else choice.put("text", textDelta);
        choice.put("logprobs", null).put("finish_reason", finishReason);
        JsonObject chunk = base().put("choices", new JsonArray().add(choice));
        if (origin.includeUsage()) chunk.put("usage", null);
        return chunk;
    }

    private void write(JsonObject data, long seq) {
        response.write(Sse.event(new StreamCursor(position, seq).wire(), null, data.encode()));
        if (!throttled && !done && response.writeQueueFull()) throttle();
    }

    /**
     * The client reads slower than tokens come. Rather than buffer without bound, the stream stops taking live
     * events and, once the client has drained what was written, reads the rest from the event log at the
     * client's pace (the log holds every event; forwarding by sequence number makes the switch seamless).
     */
    private void throttle() {
        throttled = true;
        services.hub().unsubscribe(requestId);
        services.metrics().streamThrottled(origin.pool());
        response.drainHandler(v -> {
            if (done) return;
            replayFrom(new EventReplay(services.settings().bootstrapServers(), services.settings().topics().events(),
                    services.settings().kafka(), requestId, position));
        });
    }

    /** Feeds this stream from the event log, pausing the reader whenever the client's write queue is full. */
    private void replayFrom(EventReplay reader) {
        replay = reader;
        io.vertx.core.Context context = services.vertx().getOrCreateContext();
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
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
    }
}
