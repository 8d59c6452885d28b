package io.genway.diffusion.pipeline;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Measured denoising step time per image size and batch rows: the median of the last {@value #WINDOW} steps. A
 * worker reports it so that a scheduler can predict how long a job of that size takes. Thread-safe.
 */
public final class StepTimes {
    static final int WINDOW = 32;

    private final Map<String, Deque<Long>> recent = new TreeMap<>();

    /** One step of a batch of {@code images} images of {@code size} ("512x512") took {@code took}. */
    public synchronized void record(String size, int images, Duration took) {
        Deque<Long> window = recent.computeIfAbsent(key(size, images), k -> new ArrayDeque<>());
        window.addLast(took.toNanos());
        if (window.size() > WINDOW) window.removeFirst();
    }

    /** The median step time for {@code images} images of {@code size}, or empty before any was measured. */
    public synchronized Optional<Duration> median(String size, int images) {
        Deque<Long> window = recent.get(key(size, images));
        if (window == null || window.isEmpty()) return Optional.empty();
        long[] sorted = window.stream().mapToLong(Long::longValue).sorted().toArray();
        return Optional.of(Duration.ofNanos(sorted[sorted.length / 2]));
    }

    /** Every measured median, keyed "WxH/batch" (e.g. "512x512/2"). */
    public synchronized Map<String, Duration> snapshot() {
        Map<String, Duration> out = new TreeMap<>();
        recent.forEach((key, window) -> {
            long[] sorted = window.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            out.put(key, Duration.ofNanos(sorted[sorted.length / 2]));
        });
        return out;
    }

    private static String key(String size, int images) {
        return size + "/" + images;
    }
}
