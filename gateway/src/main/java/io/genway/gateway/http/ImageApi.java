package io.genway.gateway.http;

import io.genway.gateway.pools.Admission;
import io.genway.schemas.Cancel;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.RequestKind;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code POST /v1/images/generations}: OpenAI's synchronous shape over an image job. The job is accepted durably
 * like any other (so {@code url} results stay fetchable at {@code /v1/jobs/{id}/result}); the answer waits for
 * its last image, or, with {@code stream: true}, is OpenAI's image stream ({@link ImageStream}).
 */
final class ImageApi {
    /** The longest an answer with URLs waits for the job view to show the job completed (normally milliseconds). */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private final Services services;

    ImageApi(Services services) {
        this.services = services;
    }

    static GenerationRequest request(Services services, Calls.Image call, Admission.Admitted admitted, String owner, String id) {
        return new GenerationRequest(id, RequestKind.IMAGE, true, admitted.pool().name(), admitted.model(), null, call.input(),
                services.seedOr(call.seed()), services.clock().millis(), services.deadline(call.timeoutSeconds()), owner,
                false, null, (int) admitted.view().queued());
    }

    void generate(RoutingContext ctx) {
        Calls.Image call = Calls.image(Bodies.json(ctx), ctx.request().getHeader(Calls.TIMEOUT_HEADER));
        if (call.partialImages() > 0 && !call.stream()) {
            throw ApiError.invalid("partial_images", "'partial_images' is only allowed when 'stream' is true"
                    + " (a job's events carry previews too: POST /v1/jobs).");
        }
        long acceptedAt = System.nanoTime();
        Admission.Admitted admitted = Rejections.admitted(services.router().admit(Modality.IMAGE, call.model(), call.steps()));
        GenerationRequest request = request(services, call, admitted, Auth.owner(ctx), services.newId("img-"));
        if (call.stream()) {
            stream(ctx, request, admitted, acceptedAt);
            return;
        }
        String id = request.requestId();
        TreeMap<Integer, ResultRef> images = new TreeMap<>();
        boolean[] done = {false};
        services.hub().subscribe(id, services.vertx().getOrCreateContext(), events -> {
            for (StreamEvent event : events) {
                if (done[0]) return;
                switch (event) {
                    case StreamEvent.ImageReady ready -> images.put(ready.index(), ready.ref());
                    case StreamEvent.Completed c -> {
                        done[0] = true;
                        services.hub().unsubscribe(id);
                        services.metrics().endToEnd(request.pool(), System.nanoTime() - acceptedAt);
                        services.metrics().outcome(request.pool(), "completed");
                        respond(ctx, call, request, new ArrayList<>(images.values()));
                    }
                    case StreamEvent.Failed f -> {
                        done[0] = true;
                        services.hub().unsubscribe(id);
                        services.metrics().outcome(request.pool(), "failed");
                        int status = "invalid_request_error".equals(f.error().type()) ? 400 : "timeout_error".equals(f.error().type()) ? 504 : f.retriable() ? 503 : 500;
                        ctx.fail(ApiError.of(status, f.error().type(), f.error().message(), null, f.error().code()));
                    }
                    case StreamEvent.Cancelled c -> {
                        done[0] = true;
                        services.hub().unsubscribe(id);
                        ctx.fail(ApiError.of(409, "invalid_request_error", "The image job was cancelled: " + c.reason(), null, "cancelled"));
                    }
                    default -> {
                        // queued, started, progress: the synchronous answer waits for the images
                    }
                }
            }
        });
        ctx.response().closeHandler(v -> {
            if (done[0]) return;
            done[0] = true;
            services.hub().unsubscribe(id);
            services.publisher().cancel(new Cancel(id, "client disconnected", services.clock().millis()));
        });
        services.jobs().accept(request, (long) admitted.view().etaMs(Calls.units(request))).onComplete(ar -> {
            if (ar.succeeded()) {
                services.router().directory().accepted(request.pool());
            } else {
                done[0] = true;
                services.hub().unsubscribe(id);
                ctx.fail(ApiError.unavailable("The image request could not be queued: " + ar.cause().getMessage(), "queue_unavailable"));
            }
        });
    }

    private void stream(RoutingContext ctx, GenerationRequest request, Admission.Admitted admitted, long acceptedAt) {
        ImageStream stream = new ImageStream(services, ctx, request, acceptedAt);
        stream.begin();
        services.jobs().accept(request, (long) admitted.view().etaMs(Calls.units(request))).onComplete(ar -> {
            if (ar.succeeded()) {
                services.router().directory().accepted(request.pool());
                stream.accepted();
            } else {
                stream.notAccepted(ar.cause());
            }
        });
    }

    private void respond(RoutingContext ctx, Calls.Image call, GenerationRequest request, List<ResultRef> refs) {
        JsonObject body = new JsonObject().put("created", request.createdAtMs() / 1000).put("id", request.requestId());
        if (call.responseFormat().equals("url")) {
            String origin = origin(ctx);
            JsonArray data = new JsonArray();
            for (int i = 0; i < refs.size(); i++) {
                data.add(new JsonObject().put("url", origin + "/v1/jobs/" + request.requestId() + "/result?index=" + i));
            }
            // the URLs serve the job's results once the job view has its final state: wait for it (briefly)
            services.jobs().settled(request.requestId(), SETTLE_TIMEOUT)
                    .onComplete(ar -> JobApi.json(ctx.response(), 200, body.put("data", data)));
            return;
        }
        Future<List<byte[]>> bytes = services.vertx().executeBlocking(() -> services.results().readAll(refs));
        bytes.onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ApiError.unavailable("The images could not be read: " + ar.cause().getMessage(), "results_unavailable"));
                return;
            }
            JsonArray data = new JsonArray();
            for (byte[] png : ar.result()) data.add(new JsonObject().put("b64_json", Base64.getEncoder().encodeToString(png)));
            JobApi.json(ctx.response(), 200, body.put("data", data));
        });
    }

    private static String origin(RoutingContext ctx) {
        String host = ctx.request().getHeader("Host");
        if (host == null) host = ctx.request().authority() == null ? "localhost" : ctx.request().authority().toString();
        String scheme = ctx.request().getHeader("X-Forwarded-Proto") != null ? ctx.request().getHeader("X-Forwarded-Proto") : ctx.request().scheme();
        return scheme + "://" + host;
    }
}
