package io.genway.gateway.http;

import io.vertx.core.json.JsonObject;

/**
 * An error answered in OpenAI's body, {@code {"error":{"message","type","param","code"}}}, with its HTTP status.
 * Thrown and caught on the event loop as a value: no stack trace is filled in.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    private ApiError(int status, String type, String message, String param, String code, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", message, param, "invalid_value", 0);
    }

    public static ApiError invalid(String param, String message, String code) {
        return new ApiError(400, "invalid_request_error", message, param, code, 0);
    }

    public static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error",
                "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'.", null, "invalid_api_key", 0);
    }

    public static ApiError notFound(String message, String param, String code) {
        return new ApiError(404, "invalid_request_error", message, param, code, 0);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "Request body is larger than " + limit + " bytes.", null, "request_too_large", 0);
    }

    public static ApiError backlogFull(String pool, long retryAfterSeconds) {
        return new ApiError(429, "rate_limit_error", "Pool '" + pool + "' has a full backlog; retry in about "
                + retryAfterSeconds + " s.", null, "backlog_full", Math.max(1, retryAfterSeconds));
    }

    public static ApiError unavailable(String message, String code) {
        return new ApiError(503, "server_error", message, null, code, 0);
    }

    public static ApiError server(String message) {
        return new ApiError(500, "server_error", message, null, "internal_error", 0);
    }

    public static ApiError of(int status, String type, String message, String param, String code) {
        return new ApiError(status, type, message, param, code, 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public JsonObject body() {
        return body(getMessage(), type, param, code);
    }

    public static JsonObject body(String message, String type, String param, String code) {
        JsonObject error = new JsonObject().put("message", message).put("type", type).put("param", param).put("code", code);
        return new JsonObject().put("error", error);
    }
}
