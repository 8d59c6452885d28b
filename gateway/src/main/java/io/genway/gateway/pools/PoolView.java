package io.genway.gateway.pools;

import io.genway.schemas.Heartbeat;
import io.genway.schemas.PoolSpec;
import java.util.List;

/**
 * One pool as the gateway sees it at one moment: its live workers (from heartbeats) and its backlog (requests in
 * Kafka that no worker has started). Immutable; the directory swaps in a new one as news arrives.
 */
public record PoolView(PoolSpec spec, List<Heartbeat> workers, long queued, long inFlight) {

    public int liveWorkers() {
        return workers.size();
    }

    public int slots() {
        return workers.stream().mapToInt(Heartbeat::slots).sum();
    }

    public int busy() {
        return workers.stream().mapToInt(Heartbeat::busy).sum();
    }

    /** Requests finished per second by the pool, over the last minute as its workers measured it. */
    public double drainRate() {
        return workers.stream().mapToDouble(h -> h.profile().completedPerSec()).sum();
    }

    /** How long one request of this pool takes once started, as measured; 0 before any finished. */
    public double serviceMs() {
        return workers.stream().mapToDouble(h -> h.profile().serviceMs()).filter(v -> v > 0).average().orElse(0);
    }

    /**
     * One request's expected service time from the cost model: first output (prefill, or the first denoising
     * step) plus {@code units} outputs (tokens, or steps) at the measured time per output; before the pool measured
     * that, its mean service time.
     */
    public double serviceMs(int units) {
        double first = workers.stream().mapToDouble(h -> h.profile().firstOutputMs()).filter(v -> v > 0).average().orElse(0);
        double per = workers.stream().mapToDouble(h -> h.profile().perOutputMs()).filter(v -> v > 0).average().orElse(0);
        return per > 0 ? first + units * per : serviceMs();
    }

    /**
     * When a request of {@code units} outputs accepted now would finish: its wait behind the backlog, then its own
     * service time. The wait uses the measured drain rate, or, before anything finished, free slots and service time.
     */
    public double etaMs(int units) {
        double service = serviceMs(units);
        int slots = Math.max(1, slots());
        double wait;
        if (queued <= 0 && busy() < slots) {
            wait = 0;
        } else if (drainRate() > 0) {
            wait = (queued + 1) * 1000.0 / drainRate();
        } else {
            wait = Math.ceil((queued + 1.0) / slots) * service;
        }
        return wait + service;
    }

    /** Seconds until the backlog has room again at the measured drain rate, at least 1. */
    public long retryAfterSeconds() {
        long excess = Math.max(1, queued - spec.maxBacklog() + 1);
        double rate = drainRate();
        if (rate <= 0) {
            double service = serviceMs() > 0 ? serviceMs() : 1000;
            rate = Math.max(1, slots()) * 1000.0 / service;
        }
        return Math.max(1, (long) Math.ceil(excess / rate));
    }

    public boolean backlogFull() {
        return queued >= spec.maxBacklog();
    }
}
