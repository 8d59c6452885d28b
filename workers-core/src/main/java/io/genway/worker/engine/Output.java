package io.genway.worker.engine;

import java.util.List;

/**
 * Where a run's output goes. The worker turns each call into an event on Kafka; the engine never knows.
 * Calls for one run never overlap.
 */
public interface Output {

    /** Emits generated text; {@code text} holds whole UTF-8 characters only, {@code ids} the token ids. */
    void tokens(String text, List<Integer> ids);

    /** Denoising step {@code step} of {@code of} is done; {@code previewPng} may be null. */
    void progress(int step, int of, byte[] previewPng);

    /** A finished image (or other binary result) of index {@code index}; stored durably before this returns. */
    void result(int index, byte[] bytes, String contentType);
}
