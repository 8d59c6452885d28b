package io.genway.worker;

import io.genway.schemas.WorkerProfile;
import java.util.ArrayDeque;
import java.util.Deque;

/** The worker's measured speed: exponentially weighted means and a one-minute completion rate. Thread-safe. */
final class ProfileMeter {
    private static final double ALPHA = 0.2;
    private static final long WINDOW_MS = 60_000;

    private double firstOutputMs;
    private double perOutputMs;
    private double serviceMs;
    private long completed;
    private final Deque<Long> recent = new ArrayDeque<>();
    private final long startedAtMs;

    ProfileMeter(long nowMs) {
        this.startedAtMs = nowMs;
    }

    synchronized void record(double firstOutput, double perOutput, double service, long nowMs) {
        if (firstOutput > 0) firstOutputMs = ewma(firstOutputMs, firstOutput);
        if (perOutput > 0) perOutputMs = ewma(perOutputMs, perOutput);
        serviceMs = ewma(serviceMs, service);
        completed++;
        recent.addLast(nowMs);
        trim(nowMs);
    }

    synchronized WorkerProfile snapshot(long nowMs) {
        trim(nowMs);
        double window = Math.max(1000, Math.min(WINDOW_MS, nowMs - startedAtMs));
        return new WorkerProfile(firstOutputMs, perOutputMs, serviceMs, recent.size() * 1000.0 / window, completed);
    }

    private void trim(long nowMs) {
        while (!recent.isEmpty() && nowMs - recent.peekFirst() > WINDOW_MS) recent.removeFirst();
    }

    private static double ewma(double old, double sample) {
        return old == 0 ? sample : old + ALPHA * (sample - old);
    }
}
