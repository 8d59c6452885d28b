package io.genway.gateway.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of a JSON request body; every failure is a 400 that names the field. */
final class Fields {
    private final JsonObject body;

    Fields(JsonObject body) {
        this.body = body;
    }

    JsonObject body() {
        return body;
    }

    boolean has(String name) {
        return body.containsKey(name) && body.getValue(name) != null;
    }

    String string(String name, String fallback) {
        Object v = body.getValue(name);
        if (v == null) return fallback;
        if (!(v instanceof String s)) throw ApiError.invalid(name, "'" + name + "' must be a string.", "invalid_type");
        return s;
    }

    String requiredString(String name) {
        String s = string(name, null);
        if (s == null) throw ApiError.invalid(name, "'" + name + "' is required.", "missing_required_parameter");
        return s;
    }

    boolean bool(String name, boolean fallback) {
        Object v = body.getValue(name);
        if (v == null) return fallback;
        if (!(v instanceof Boolean b)) throw ApiError.invalid(name, "'" + name + "' must be a boolean.", "invalid_type");
        return b;
    }

    int integer(String name, int fallback, int min, int max) {
        Object v = body.getValue(name);
        if (v == null) return fallback;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw ApiError.invalid(name, "'" + name + "' must be an integer.", "invalid_type");
        }
        long value = n.longValue();
        if (value < min || value > max) {
            throw ApiError.invalid(name, "'" + name + "' must be between " + min + " and " + max + ", got " + value + ".");
        }
        return (int) value;
    }

    long longValue(String name, long fallback) {
        Object v = body.getValue(name);
        if (v == null) return fallback;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw ApiError.invalid(name, "'" + name + "' must be an integer.", "invalid_type");
        }
        return n.longValue();
    }

    double number(String name, double fallback, double min, double max) {
        Object v = body.getValue(name);
        if (v == null) return fallback;
        if (!(v instanceof Number n)) throw ApiError.invalid(name, "'" + name + "' must be a number.", "invalid_type");
        double value = n.doubleValue();
        if (!(value >= min && value <= max)) {
            throw ApiError.invalid(name, "'" + name + "' must be between " + min + " and " + max + ", got " + value + ".");
        }
        return value;
    }

    /** OpenAI's {@code stop}: a string or an array of up to {@code max} strings. */
    List<String> stop(String name, int max) {
        Object v = body.getValue(name);
        if (v == null) return List.of();
        if (v instanceof String s) return s.isEmpty() ? List.of() : List.of(s);
        if (v instanceof JsonArray array) {
            if (array.size() > max) throw ApiError.invalid(name, "'" + name + "' takes at most " + max + " sequences.");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!(array.getValue(i) instanceof String s)) throw ApiError.invalid(name, "'" + name + "[" + i + "]' must be a string.", "invalid_type");
                if (!s.isEmpty()) out.add(s);
            }
            return out;
        }
        throw ApiError.invalid(name, "'" + name + "' must be a string or an array of strings.", "invalid_type");
    }

    JsonArray array(String name) {
        Object v = body.getValue(name);
        if (v == null) return null;
        if (!(v instanceof JsonArray a)) throw ApiError.invalid(name, "'" + name + "' must be an array.", "invalid_type");
        return a;
    }

    JsonObject object(String name) {
        Object v = body.getValue(name);
        if (v == null) return null;
        if (!(v instanceof JsonObject o)) throw ApiError.invalid(name, "'" + name + "' must be an object.", "invalid_type");
        return o;
    }
}
