package io.genway.schemas;

/** OpenAI's {@code finish_reason}, one to one. */
public enum FinishReason {
    STOP("stop"), LENGTH("length"), CONTENT_FILTER("content_filter"), CANCELLED("cancelled");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return wire;
    }
}
