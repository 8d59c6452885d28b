package io.genway.gateway.http;

import io.genway.gateway.pools.Admission;
import io.genway.schemas.EventsPosition;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TextInput;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /v1/chat/completions} and {@code POST /v1/completions}: streamed (SSE) or whole. */
final class TextApi {
    static final int DEFAULT_MAX_TOKENS = 256;

    private final Services services;

    TextApi(Services services) {
        this.services = services;
    }

    void chat(RoutingContext ctx) {
        start(ctx, Calls.chat(Bodies.json(ctx)));
    }

    void completion(RoutingContext ctx) {
        start(ctx, Calls.completion(Bodies.json(ctx)));
    }

    private void start(RoutingContext ctx, Calls.Text call) {
        long acceptedAt = System.nanoTime();
        Admission.Admitted admitted = Rejections.admitted(services.router().admit(Modality.TEXT, call.model(), Calls.units(call)));
        GenerationRequest request = request(call, admitted, Auth.owner(ctx),
                services.newId(call.kind() == RequestKind.CHAT ? "chatcmpl-" : "cmpl-"), false);
        TextStream stream = new TextStream(services, ctx, call, request, acceptedAt);
        stream.begin();
        StreamEvent.Queued queued = new StreamEvent.Queued(request.requestId(), 0, 0, services.clock().millis(),
                request.queuePosition(), (long) admitted.view().etaMs(Calls.units(request)));
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
