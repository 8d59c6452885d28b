package io.genway.schemas;

/** Which API shape a request came in through; the worker needs it to pick prompt handling. */
public enum RequestKind {
    CHAT(Modality.TEXT), COMPLETION(Modality.TEXT), IMAGE(Modality.IMAGE);

    private final Modality modality;

    RequestKind(Modality modality) {
        this.modality = modality;
    }

    public Modality modality() {
        return modality;
    }
}
