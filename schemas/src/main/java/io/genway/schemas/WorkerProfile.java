package io.genway.schemas;

/**
 * What a worker measured of its own speed (exponentially weighted, milliseconds): the router's cost model.
 *
 * @param firstOutputMs   transformer: time to first token after start (prefill); diffusion: 0
 * @param perOutputMs     transformer: time per output token; diffusion: time per denoising step
 * @param serviceMs       start to terminal event, all requests
 * @param completedPerSec requests finished per second, over the last minute
 * @param completed       requests finished since the worker started
 */
public record WorkerProfile(double firstOutputMs, double perOutputMs, double serviceMs, double completedPerSec, long completed) {
    public static final WorkerProfile UNMEASURED = new WorkerProfile(0, 0, 0, 0, 0);
}
