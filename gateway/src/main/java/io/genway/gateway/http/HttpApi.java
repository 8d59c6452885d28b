package io.genway.gateway.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway's routes, one method reference each, and the one place errors become OpenAI error bodies. */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private HttpApi() {
    }

    public static Router router(Services services, BooleanSupplier ready) {
        Router router = Router.router(services.vertx());
        TextApi text = new TextApi(services);
        ImageApi images = new ImageApi(services);
        JobApi jobs = new JobApi(services, text);
        OpsApi ops = new OpsApi(services, ready);
        Auth auth = new Auth(services.settings().apiKeys());

        router.get("/health/live").handler(ops::live);
        router.get("/health/ready").handler(ops::ready);
        router.get("/metrics").handler(ops::metrics);

        router.route("/v1/*").handler(auth::check);
        router.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(services.settings().maxBodyBytes()));
        router.post("/v1/chat/completions").handler(text::chat);
        router.post("/v1/completions").handler(text::completion);
        router.get("/v1/streams/:id").handler(text::resume);
        router.post("/v1/images/generations").handler(images::generate);
        router.post("/v1/jobs").handler(jobs::create);
        router.get("/v1/jobs/:id").handler(jobs::get);
        router.get("/v1/jobs/:id/events").handler(jobs::events);
        router.get("/v1/jobs/:id/result").handler(jobs::result);
        router.delete("/v1/jobs/:id").handler(jobs::cancel);
        router.get("/v1/models").handler(ops::models);
        router.get("/v1/pools").handler(ops::pools);

        router.route().last().handler(ctx -> ctx.fail(ApiError.notFound(
                "No route for " + ctx.request().method() + " " + ctx.request().path() + ".", null, "unknown_url")));
        router.route().failureHandler(ctx -> fail(ctx, services.settings().maxBodyBytes()));
        return router;
    }

    private static void fail(RoutingContext ctx, long maxBody) {
        ApiError error = switch (ctx.failure()) {
            case ApiError e -> e;
            case null -> switch (ctx.statusCode()) {
                case 413 -> ApiError.tooLarge(maxBody);
                case 400 -> ApiError.invalid(null, "The request could not be read.", "invalid_request");
                case 404 -> ApiError.notFound("Not found.", null, "unknown_url");
                case 405 -> ApiError.of(405, "invalid_request_error", "Method not allowed.", null, "method_not_allowed");
                default -> ApiError.server("The request failed (" + ctx.statusCode() + ").");
            };
            case io.vertx.core.json.DecodeException e -> ApiError.invalid(null, "The request body is not valid JSON: " + e.getMessage(), "invalid_json");
            case IllegalArgumentException e -> ApiError.invalid(null, e.getMessage());
            default -> {
                if (ctx.statusCode() == 413) yield ApiError.tooLarge(maxBody);
                log.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
                yield ApiError.server("Internal error: " + ctx.failure().getClass().getSimpleName());
            }
        };
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            if (!response.ended()) response.end();
            return;
        }
        if (error.retryAfterSeconds() > 0) response.putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json").end(error.body().encode());
    }
}
