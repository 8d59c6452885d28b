package io.genway.gateway.http;

import io.genway.schemas.EventsPosition;

/**
 * The SSE event id of a text stream: where the request's events begin in the log and the last output sequence
 * number the client received, as {@code <partition>-<offset>-<seq>}. A client that reconnects with it as
 * {@code Last-Event-ID} can be served by any gateway from the log alone.
 */
record StreamCursor(EventsPosition position, long seq) {

    String wire() {
        return position.partition() + "-" + position.offset() + "-" + seq;
    }

    /** Parses a {@code Last-Event-ID} this API sent; the error names the header. */
    static StreamCursor parse(String raw) {
        String[] parts = raw.trim().split("-", -1);
        if (parts.length == 3) {
            try {
                int partition = Integer.parseInt(parts[0]);
                long offset = Long.parseLong(parts[1]);
                long seq = Long.parseLong(parts[2]);
                if (partition >= 0 && offset >= 0 && seq >= 0) return new StreamCursor(new EventsPosition(partition, offset), seq);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw ApiError.invalid("Last-Event-ID",
                "'Last-Event-ID' must be the id of an event this stream sent (<partition>-<offset>-<seq>); got '" + raw + "'.");
    }
}
