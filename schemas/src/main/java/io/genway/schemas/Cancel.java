package io.genway.schemas;

import java.util.Objects;

/** Broadcast on {@code control}: stop this request wherever it is, or skip it when it is fetched. */
public record Cancel(String requestId, String reason, long atMs) {
    public Cancel {
        Objects.requireNonNull(requestId, "requestId");
        reason = reason == null ? "cancelled" : reason;
    }
}
