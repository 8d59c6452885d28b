package io.genway.diffusion;

import io.genway.diffusion.pipeline.PreviewPlan;
import io.genway.diffusion.png.PngWriter;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.ImageInput;
import io.genway.schemas.Modality;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in for a diffusion model. It is not a model and generates nothing learned: it draws one
 * coloured shape on a coloured background, both read from colour and shape words in the prompt ("a red circle on
 * a blue background"), placed by the seed. It exists so that the platform (gateway, Kafka, diffusion workers, job
 * API, result storage) can be run, tested and benchmarked end to end with an engine whose output and timing are
 * exactly known, until the native engine exists.
 *
 * <p>A run behaves like a sampler: image {@code i} of {@code n} takes seed {@code seed + i}, starts from that seed's
 * Gaussian noise and moves toward its target over {@code steps} steps ({@code x_k = lerp(noise, target, k/steps)}),
 * all {@code n} images advancing together, one {@link Output#progress} per step and a cancel check before each.
 * A request with {@code partial_images} gets that many previews, after the steps {@link PreviewPlan} names: the
 * image as it stands after that step, {@code x_k}, at an eighth of its size (as a latent model's previews are; at
 * least 8 pixels a side). The images are PNGs carrying their generation parameters as text chunks.
 *
 * <p>Threads: steps run {@code stepDelay} apart on one shared scheduler thread, so waiting runs cost no thread each;
 * the final images are drawn and handed over on a virtual thread, because {@link Output#result} waits for storage.
 */
public final class SyntheticImageEngine implements Engine {
    private final List<String> models;
    private final int slots;
    private final Duration stepDelay;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService painters;

    public SyntheticImageEngine(List<String> models, int slots, Duration stepDelay) {
        this.models = List.copyOf(models);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        this.slots = slots;
        Objects.requireNonNull(stepDelay, "stepDelay");
        if (stepDelay.isNegative()) throw new IllegalArgumentException("stepDelay must not be negative, was " + stepDelay);
        this.stepDelay = stepDelay;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("synthetic-image").daemon().factory());
        this.painters = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("synthetic-image-paint-", 0).factory());
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("synthetic", models, slots, 0);
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        if (request.modality() != Modality.IMAGE) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("unsupported_request",
                    "the synthetic image engine makes images, not " + request.modality().wireName(), null));
        }
        if (!models.contains(request.model())) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("model_not_found",
                    "model " + request.model() + " is not served here; this engine serves " + models, null));
        }
        return new Sampling(request, output, cancel).start();
    }

    /** The text chunks of image {@code index}: enough to make it again. */
    static SequencedMap<String, String> parameters(GenerationRequest request, int index) {
        ImageInput input = request.image();
        SequencedMap<String, String> text = new LinkedHashMap<>();
        text.put("prompt", input.prompt());
        text.put("negative_prompt", input.negativePrompt());
        text.put("seed", Long.toString(request.seed() + index));
        text.put("steps", Integer.toString(input.steps()));
        text.put("sampler", "synthetic");
        text.put("guidance", Double.toString(input.guidanceScale()));
        text.put("model", request.model());
        return text;
    }

    static int previewSide(int side) {
        return Math.min(side, Math.max(8, side / 8));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        painters.shutdownNow();
    }

    /** One run's steps. Steps run on the scheduler thread, the final images on a painter, never two at once. */
    private final class Sampling {
        private final GenerationRequest request;
        private final ImageInput input;
        private final Output output;
        private final CancelToken cancel;
        private final PreviewPlan previews;
        private final CompletableFuture<Outcome> done = new CompletableFuture<>();
        private int step;

        Sampling(GenerationRequest request, Output output, CancelToken cancel) {
            this.request = request;
            this.input = request.image();
            this.output = output;
            this.cancel = cancel;
            this.previews = new PreviewPlan(input.steps(), input.partialImages());
        }

        CompletableFuture<Outcome> start() {
            schedule();
            return done;
        }

        private void step() {
            try {
                if (cancel.cancelled()) {
                    done.complete(Outcome.cancelled());
                    return;
                }
                // The pictures are blended lazily (SyntheticPicture.frame): with no preview asked, a step's only
                // observable effect is its progress report.
                step++;
                output.progress(step, input.steps(), previews.includes(step) ? preview() : null);
                if (step < input.steps()) schedule();
                else painters.execute(this::finish);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        /** Image 0 as it stands after this step, an eighth of its size (only a one-image request asks for previews). */
        private byte[] preview() {
            SyntheticPicture picture = SyntheticPicture.of(input.prompt(), input.negativePrompt(), request.seed());
            BufferedImage frame = picture.frame(previewSide(input.width()), previewSide(input.height()),
                    (double) step / input.steps());
            return PngWriter.write(frame, new LinkedHashMap<>());
        }

        private void finish() {
            try {
                for (int i = 0; i < input.n(); i++) {
                    if (cancel.cancelled()) {
                        done.complete(Outcome.cancelled());
                        return;
                    }
                    SyntheticPicture picture = SyntheticPicture.of(input.prompt(), input.negativePrompt(), request.seed() + i);
                    byte[] png = PngWriter.write(picture.frame(input.width(), input.height(), 1.0), parameters(request, i));
                    output.result(i, png, "image/png");
                }
                done.complete(new Outcome(FinishReason.STOP, new Usage(0, input.n())));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        private void schedule() {
            if (stepDelay.isZero()) scheduler.execute(this::step);
            else scheduler.schedule(this::step, stepDelay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
