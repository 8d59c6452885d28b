package io.genway.diffusion.schedulers;

/** The clean-sample estimate in σ space, x = x0 + σ ε (Karras et al. 2022), for each prediction type. */
final class KarrasPrediction {
    private KarrasPrediction() {}

    /**
     * @param sigma the plan's σ at this step (v-prediction's scalings use it)
     * @param sigmaHat the σ the sample is actually at (σ raised by churn; equal to σ without)
     */
    static float[] originalSample(PredictionType type, float[] modelOutput, float[] sample, float sigma,
            float sigmaHat) {
        float[] x0 = new float[sample.length];
        switch (type) {
            case EPSILON -> {
                for (int i = 0; i < x0.length; i++) x0[i] = sample[i] - sigmaHat * modelOutput[i];
            }
            case SAMPLE -> System.arraycopy(modelOutput, 0, x0, 0, x0.length);
            case V_PREDICTION -> {
                float variance = sigma * sigma + 1;
                float outputScale = -sigma / (float) Math.sqrt(variance);
                for (int i = 0; i < x0.length; i++) x0[i] = modelOutput[i] * outputScale + sample[i] / variance;
            }
        }
        return x0;
    }
}
