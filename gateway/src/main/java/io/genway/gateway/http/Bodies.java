package io.genway.gateway.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

final class Bodies {
    private Bodies() {
    }

    /** The request body as a JSON object, or a 400 that says what is wrong with it. */
    static JsonObject json(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().length() == 0) {
            throw ApiError.invalid(null, "The request body is empty; send a JSON object.", "invalid_json");
        }
        try {
            Object value = ctx.body().asJsonObject();
            if (value == null) throw ApiError.invalid(null, "The request body must be a JSON object.", "invalid_json");
            return (JsonObject) value;
        } catch (DecodeException | ClassCastException e) {
            throw ApiError.invalid(null, "The request body is not a valid JSON object: " + e.getMessage(), "invalid_json");
        }
    }
}
