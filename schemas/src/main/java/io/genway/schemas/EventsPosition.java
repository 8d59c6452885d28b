package io.genway.schemas;

/**
 * Where a request's events begin in the {@code events} topic: every event of a request is keyed by its id, so
 * they all live in this partition, at or after this offset. Replay (job events, resume) starts here.
 */
public record EventsPosition(int partition, long offset) {
    public EventsPosition {
        if (partition < 0) throw new IllegalArgumentException("partition must be >= 0");
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
    }
}
