package io.genway.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

public enum JobStatus {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
