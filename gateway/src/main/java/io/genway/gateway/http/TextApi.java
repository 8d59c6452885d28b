package io.genway.gateway.http;

import io.genway.gateway.kafka.EventReplay;
import io.genway.gateway.pools.Admission;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.StreamOrigin;
import io.genway.schemas.TextInput;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /v1/chat/completions} and {@code POST /v1/completions}: streamed (SSE) or whole. */
final class TextApi {
    static final int DEFAULT_MAX_TOKENS = 256;
    private static final java.time.Duration RESUME_LOOKUP = java.time.Duration.ofSeconds(10);

    private final Services services;

    TextApi(Services services) {
        this.services = services;
    }

    void chat(RoutingContext ctx) {
        start(ctx, Calls.chat(Bodies.json(ctx), ctx.request().getHeader(Calls.TIMEOUT_HEADER)));
    }

    void completion(RoutingContext ctx) {
        start(ctx, Calls.completion(Bodies.json(ctx), ctx.request().getHeader(Calls.TIMEOUT_HEADER)));
    }

    private void start(RoutingContext ctx, Calls.Text call) {
        long acceptedAt = System.nanoTime();
        Admission.Admitted admitted = Rejections.admitted(services.router().admit(Modality.TEXT, call.model(), Calls.units(call)));
        GenerationRequest request = request(call, admitted, Auth.owner(ctx),
                services.newId(call.kind() == RequestKind.CHAT ? "chatcmpl-" : "cmpl-"), false);
        TextStream stream = TextStream.of(services, ctx, call, request, acceptedAt);
        stream.begin();
        StreamEvent.Queued queued = new StreamEvent.Queued(request.requestId(), 0, 0, services.clock().millis(),
                request.queuePosition(), (long) admitted.view().etaMs(Calls.units(request)), TextStream.origin(call, request));
        // The queued event first: its offset is where the stream's events begin (a slow reader replays from it),
        // and no event of the request can be written before the request itself is.
        services.publisher().event(queued)
                .compose(md -> services.publisher().request(request).map(v -> new EventsPosition(md.partition(), md.offset())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        services.router().directory().accepted(request.pool());
                        stream.accepted(ar.result());
                    } else {
                        stream.notAccepted(ar.cause());
                    }
                });
    }

    /**
     * {@code GET /v1/streams/{id}}: a text stream resumed after the event its {@code Last-Event-ID} names, on this
     * or any other gateway: the missed events from the log, then the live tail. Only the stream's owner may.
     */
    void resume(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String header = ctx.request().getHeader("Last-Event-ID");
        String raw = header != null ? header : ctx.request().getParam("last_event_id");
        if (raw == null || raw.isBlank()) {
            throw ApiError.invalid("Last-Event-ID", "Resuming a stream needs the 'Last-Event-ID' header (or 'last_event_id' "
                    + "query parameter): the id of the last event received.", "missing_required_parameter");
        }
        StreamCursor cursor = StreamCursor.parse(raw);
        String owner = Auth.owner(ctx);
        services.vertx().executeBlocking(() -> {
            EventReplay replay = new EventReplay(services.settings().bootstrapServers(), services.settings().topics().events(),
                    services.settings().kafka(), id, cursor.position());
            return replay.head(RESUME_LOOKUP).map(q -> new Found(q, replay));
        }).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ApiError.unavailable("The stream could not be read: " + ar.cause().getMessage(), "events_unavailable"));
                return;
            }
            Found found = ar.result().orElse(null);
            StreamOrigin origin = found == null ? null : found.queued().origin();
            if (origin == null || !origin.owner().equals(owner)) {
                if (found != null) found.replay().close();
                // Another key's stream answers exactly as a missing one, so ids cannot be probed.
                ctx.fail(ApiError.notFound("No stream '" + id + "' begins where Last-Event-ID '" + raw.trim()
                        + "' says, or its events are no longer stored.", "id", "stream_not_found"));
                return;
            }
            TextStream.resume(services, ctx, id, origin, cursor, found.replay());
        });
    }

    private record Found(StreamEvent.Queued queued, EventReplay replay) {
    }

    /** Builds the wire request once routing chose the pool, checking what depends on the pool. */
    GenerationRequest request(Calls.Text call, Admission.Admitted admitted, String owner, String id, boolean job) {
        PoolSpec pool = admitted.pool();
        int maxTokens;
        if (call.maxTokens() == null) {
            maxTokens = Math.min(DEFAULT_MAX_TOKENS, pool.maxTokens());
        } else if (call.maxTokens() > pool.maxTokens()) {
            throw ApiError.invalid(call.kind() == RequestKind.CHAT ? "max_tokens" : "max_tokens",
                    "'max_tokens' is " + call.maxTokens() + " but model '" + admitted.model() + "' allows at most " + pool.maxTokens() + ".");
        } else {
            maxTokens = call.maxTokens();
        }
        TextInput input = new TextInput(call.messages(), call.prompt(), call.sampling(maxTokens));
        return new GenerationRequest(id, call.kind(), job, pool.name(), admitted.model(), input, null,
                services.seedOr(call.seed()), services.clock().millis(), services.deadline(call.timeoutSeconds()),
                owner, call.continueOnDisconnect(), null, (int) admitted.view().queued());
    }

    static JsonObject usage(io.genway.schemas.Usage usage) {
        return new JsonObject().put("prompt_tokens", usage.promptTokens()).put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.totalTokens());
    }
}
