package io.genway.llm.remote;

import io.genway.worker.engine.Output;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the text a run emits; a text engine that reports progress or binary results is wrong. */
final class CollectingOutput implements Output {
    final List<String> chunks = new CopyOnWriteArrayList<>();

    @Override
    public void tokens(String text, List<Integer> ids) {
        chunks.add(text);
    }

    @Override
    public void progress(int step, int of, byte[] previewPng) {
        throw new AssertionError("a text engine reported progress");
    }

    @Override
    public void result(int index, byte[] bytes, String contentType) {
        throw new AssertionError("a text engine produced a binary result");
    }
}
