package io.genway.worker.engine;

import io.genway.schemas.FinishReason;
import io.genway.schemas.Usage;

/** How a run ended when it did not fail. */
public record Outcome(FinishReason finishReason, Usage usage) {
    public static Outcome cancelled() {
        return new Outcome(FinishReason.CANCELLED, Usage.NONE);
    }

    public boolean wasCancelled() {
        return finishReason == FinishReason.CANCELLED;
    }
}
