package io.genway.schemas;

/** What a pool produces: the transformer pools stream text, the diffusion pools return images. */
public enum Modality {
    TEXT, IMAGE;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
