package io.genway.schemas;

import java.util.Objects;

/**
 * A request as it travels on {@code requests.<pool>}, keyed by {@link #requestId()}.
 *
 * <p>The seed is always set (the gateway draws one when the client gave none) so that a redelivered request
 * reproduces the same output and the gateway can forward each sequence number once. {@code job} marks requests
 * made through the job API (or an image generation), whose state the workers also publish on {@code jobs}.
 *
 * @param deadlineAtMs epoch millis after which the request must not start; 0 for none
 * @param owner        a hash of the API key that made it, or "" when keys are off; jobs are visible to it alone
 */
public record GenerationRequest(
        String requestId,
        RequestKind kind,
        boolean job,
        String pool,
        String model,
        TextInput text,
        ImageInput image,
        long seed,
        long createdAtMs,
        long deadlineAtMs,
        String owner,
        boolean continueOnDisconnect,
        EventsPosition events,
        int queuePosition) {

    public GenerationRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(model, "model");
        owner = owner == null ? "" : owner;
        if (kind.modality() == Modality.TEXT && text == null) throw new IllegalArgumentException("a text request needs text input");
        if (kind.modality() == Modality.IMAGE && image == null) throw new IllegalArgumentException("an image request needs image input");
    }

    public Modality modality() {
        return kind.modality();
    }

    public boolean expiredAt(long nowMs) {
        return deadlineAtMs > 0 && nowMs > deadlineAtMs;
    }
}
