package io.genway.schemas;

/**
 * Record headers workers put on every {@code events} record, so that readers can count and route events by pool
 * and type without parsing their bodies.
 */
public final class EventHeaders {
    /** The pool whose worker wrote the event. */
    public static final String POOL = "genway.pool";
    /** The event's type name, as in its JSON {@code type} (tokens, progress, image_ready, completed, ...). */
    public static final String TYPE = "genway.type";

    private EventHeaders() {
    }

    public static String typeOf(StreamEvent event) {
        return switch (event) {
            case StreamEvent.Queued q -> "queued";
            case StreamEvent.Started s -> "started";
            case StreamEvent.Tokens t -> "tokens";
            case StreamEvent.Progress p -> "progress";
            case StreamEvent.ImageReady i -> "image_ready";
            case StreamEvent.Completed c -> "completed";
            case StreamEvent.Failed f -> "failed";
            case StreamEvent.Cancelled c -> "cancelled";
        };
    }
}
