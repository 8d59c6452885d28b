package io.genway.schemas;

/** Token counts as OpenAI reports them; images count produced images in {@code completionTokens}' place. */
public record Usage(int promptTokens, int completionTokens) {
    public static final Usage NONE = new Usage(0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0) throw new IllegalArgumentException("usage counts must be >= 0");
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
