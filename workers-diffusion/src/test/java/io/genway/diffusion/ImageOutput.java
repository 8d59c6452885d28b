package io.genway.diffusion;

import io.genway.worker.engine.Output;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/** Keeps what an image run reports; {@code onStep} lets a test act at a given step (cancel, say). */
final class ImageOutput implements Output {
    final List<Integer> steps = new CopyOnWriteArrayList<>();
    final List<Integer> totals = new CopyOnWriteArrayList<>();
    final Map<Integer, byte[]> images = new ConcurrentSkipListMap<>();
    /** The preview PNGs by the step they came with. */
    final Map<Integer, byte[]> previews = new ConcurrentSkipListMap<>();
    private final IntConsumer onStep;

    ImageOutput() {
        this(step -> { });
    }

    ImageOutput(IntConsumer onStep) {
        this.onStep = onStep;
    }

    @Override
    public void tokens(String text, List<Integer> ids) {
        throw new AssertionError("an image engine emitted tokens");
    }

    @Override
    public void progress(int step, int of, byte[] previewPng) {
        steps.add(step);
        totals.add(of);
        if (previewPng != null) previews.put(step, previewPng);
        onStep.accept(step);
    }

    @Override
    public void result(int index, byte[] bytes, String contentType) {
        if (!contentType.equals("image/png")) throw new AssertionError("not a PNG: " + contentType);
        images.put(index, bytes);
    }
}
