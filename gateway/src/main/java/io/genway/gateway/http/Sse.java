package io.genway.gateway.http;

import io.vertx.core.http.HttpServerResponse;

/** Server-sent events on a Vert.x response: headers, events with ids, comments as keep-alives. */
final class Sse {
    private Sse() {
    }

    /** Bytes a stream may have written but not yet sent before it counts as full: the bound on its memory. */
    static final int WRITE_QUEUE_BYTES = 64 * 1024;

    static void open(HttpServerResponse response) {
        response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        response.setStatusCode(200)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Connection", "keep-alive")
                .putHeader("X-Accel-Buffering", "no")
                .setChunked(true);
    }

    static String event(String id, String name, String data) {
        StringBuilder b = new StringBuilder(data.length() + 48);
        if (name != null) b.append("event: ").append(name).append('\n');
        if (id != null) b.append("id: ").append(id).append('\n');
        b.append("data: ").append(data).append("\n\n");
        return b.toString();
    }

    static String comment(String text) {
        return ": " + text + "\n\n";
    }
}
