package io.genway.schemas;

/**
 * What a worker measured for one request, in milliseconds (fractional). Zero where it does not apply
 * (a diffusion request has no time to first token; a transformer has no steps).
 */
public record Timings(double queueMs, double firstOutputMs, double perOutputMs, double totalMs) {
    public static final Timings NONE = new Timings(0, 0, 0, 0);
}
