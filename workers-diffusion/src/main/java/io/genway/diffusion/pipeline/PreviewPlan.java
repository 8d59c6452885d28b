package io.genway.diffusion.pipeline;

/**
 * After which steps of a run a preview is made: {@code count} of them spread evenly over {@code steps}, after steps
 * {@code round(k * steps / (count + 1))} for k = 1..count, so none falls on the last step, which the finished image
 * follows anyway. A run of fewer than {@code count + 1} steps gets fewer previews (a step makes at most one), as
 * OpenAI's {@code partial_images} allows: the final image may come before all partial images were sent.
 */
public record PreviewPlan(int steps, int count) {

    public PreviewPlan {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
        if (count < 0) throw new IllegalArgumentException("previews must be >= 0, was " + count);
    }

    /** Whether a preview follows step {@code step} (1-based, as progress counts). */
    public boolean includes(int step) {
        for (int k = 1; k <= count; k++) {
            if (stepOf(k) == step) return true;
        }
        return false;
    }

    private int stepOf(int k) {
        return (int) Math.max(1, Math.round((double) k * steps / (count + 1)));
    }
}
