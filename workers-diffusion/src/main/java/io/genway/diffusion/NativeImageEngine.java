package io.genway.diffusion;

import io.genway.diffusion.model.ModelConfigException;
import io.genway.diffusion.pipeline.ImageModel;
import io.genway.diffusion.pipeline.ImageRequest;
import io.genway.diffusion.pipeline.ModelParts;
import io.genway.diffusion.pipeline.Sampler;
import io.genway.diffusion.pipeline.StepTimes;
import io.genway.diffusion.pipeline.TextToImage;
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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The diffusion pool's native engine: renders with a {@link TextToImage} pipeline in this JVM. Requests wait in
 * one queue; a single render thread takes the oldest and, with it, every queued request of the same size and step
 * count up to {@code maxBatch} images, and denoises them as one batch (a request's own images always go together,
 * so one asking for more than {@code maxBatch} runs alone). Each request reports "step k of N" after
 * every step, with a small PNG preview after the steps its {@code partial_images} plan names, stops between steps
 * when cancelled, and gets one PNG per image, image {@code i} made with seed
 * {@code seed + i} and carrying its generation parameters as text chunks.
 *
 * <p>Threads: rendering is confined to the render thread (weights are shared, activations belong to the batch);
 * finished images are handed to {@link Output#result}, which waits for storage, on a virtual thread per request,
 * so the next batch does not wait for it. Progress calls come from the render thread, strictly before the results.
 */
public final class NativeImageEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(NativeImageEngine.class.getName());

    private final ImageModel model;
    private final List<String> models;
    private final int slots;
    private final int maxBatch;
    private final Sampler sampler;
    private final Consumer<Timings> timings;
    private final LongSupplier nanoTime;
    private final StepTimes stepTimes = new StepTimes();
    private final LinkedList<Job> queue = new LinkedList<>();
    private final Thread renderer;
    private final ExecutorService deliveries;
    private volatile boolean closed;

    /**
     * Where one request's time went.
     *
     * @param steps the wall time of each denoising step of its batch
     */
    public record Timings(String requestId, String size, int batchImages, Duration queue, Duration encode,
                          List<Duration> steps, Duration decode) {
        public Timings {
            steps = List.copyOf(steps);
        }
    }

    /**
     * @param sampler  the sampler every request uses; null for the one the model's scheduler config names
     * @param maxBatch images denoised together at most; bounds activation memory
     * @param timings  told each finished request's timings, on the render thread
     */
    public NativeImageEngine(ImageModel model, List<String> models, int slots, int maxBatch, Sampler sampler,
                             Consumer<Timings> timings, LongSupplier nanoTime) {
        this.model = Objects.requireNonNull(model, "model");
        this.models = List.copyOf(models);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        this.slots = slots;
        this.maxBatch = maxBatch;
        this.sampler = sampler != null ? sampler : model.defaultSampler();
        this.timings = Objects.requireNonNull(timings, "timings");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.deliveries = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("native-image-result-", 0).factory());
        this.renderer = Thread.ofPlatform().name("native-image").daemon().start(this::renderLoop);
    }

    public NativeImageEngine(ImageModel model, List<String> models, int slots, int maxBatch, Sampler sampler) {
        this(model, models, slots, maxBatch, sampler, NativeImageEngine::log, System::nanoTime);
    }

    /**
     * Loads the diffusers folder at {@code model} with this build's forward passes.
     *
     * @param sampler a {@link Sampler#wireName()}, or null for the folder's own
     * @throws io.genway.diffusion.model.ModelConfigException when the model cannot run here, naming why
     */
    public static NativeImageEngine load(Path model, List<String> models, int slots, int maxBatch, String sampler)
            throws IOException {
        return new NativeImageEngine(ImageModel.load(model, ModelParts.NATIVE), models, slots, maxBatch,
                sampler == null ? null : Sampler.named(sampler));
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("native", models, slots, 0);
    }

    /** The measured median step time per size and batch, for the worker's heartbeat. */
    public StepTimes stepTimes() {
        return stepTimes;
    }

    @Override
    public Map<String, Double> stepMs() {
        Map<String, Double> out = new TreeMap<>();
        stepTimes.snapshot().forEach((shape, median) -> out.put(shape, median.toNanos() / 1e6));
        return out;
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        if (request.modality() != Modality.IMAGE) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("unsupported_request",
                    "the native image engine makes images, not " + request.modality().wireName(), null));
        }
        if (!models.contains(request.model())) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("model_not_found",
                    "model " + request.model() + " is not served here; this engine serves " + models, null));
        }
        ImageInput input = request.image();
        int factor = model.sizeMultiple();
        if (input.width() % factor != 0 || input.height() % factor != 0) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("invalid_size", "size " + input.size()
                    + " must be a multiple of " + factor + " for model " + request.model(), null));
        }
        List<ImageRequest> images = new ArrayList<>();
        for (int i = 0; i < input.n(); i++) {
            // Only a request of one image may ask for previews, so the image that reports progress makes them.
            images.add(new ImageRequest(input.prompt(), input.negativePrompt(), request.seed() + i, input.steps(),
                    sampler, input.guidanceScale(), input.width(), input.height(), i == 0 ? input.partialImages() : 0));
        }
        Job job = new Job(request, images, output, cancel, nanoTime.getAsLong());
        synchronized (queue) {
            if (closed) return CompletableFuture.failedFuture(new EngineException.Retriable("engine_closed",
                    "the native image engine is shutting down", null));
            queue.add(job);
            queue.notifyAll();
        }
        return job.done;
    }

    @Override
    public void close() {
        synchronized (queue) {
            closed = true;
            queue.notifyAll();
        }
        renderer.interrupt();
        deliveries.shutdown();
    }

    private void renderLoop() {
        while (true) {
            List<Job> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                batch = null;
            }
            if (batch == null) {
                failQueued();
                return;
            }
            render(batch);
        }
    }

    /** The oldest job and the queued jobs of its size and step count, up to maxBatch images; null once closed. */
    private List<Job> nextBatch() throws InterruptedException {
        synchronized (queue) {
            while (queue.isEmpty() && !closed) queue.wait();
            if (closed) return null;
            Job first = queue.removeFirst();
            List<Job> batch = new ArrayList<>(List.of(first));
            int images = first.images.size();
            for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
                Job job = it.next();
                if (job.key().equals(first.key()) && images + job.images.size() <= maxBatch) {
                    batch.add(job);
                    images += job.images.size();
                    it.remove();
                }
            }
            return batch;
        }
    }

    private void render(List<Job> batch) {
        long start = nanoTime.getAsLong();
        List<ImageRequest> images = new ArrayList<>();
        List<Job> owners = new ArrayList<>();
        List<Job> live = new ArrayList<>();
        for (Job job : batch) {
            if (job.cancel.cancelled()) {
                job.done.complete(Outcome.cancelled());
                continue;
            }
            live.add(job);
            for (ImageRequest image : job.images) {
                images.add(image);
                owners.add(job);
            }
        }
        if (images.isEmpty()) return;
        List<Optional<TextToImage.Rendered>> rendered;
        try {
            rendered = model.pipeline().render(images, new TextToImage.Listener() {
                @Override
                public boolean cancelled(int index) {
                    return owners.get(index).cancel.cancelled();
                }

                @Override
                public void stepDone(int index, int step, int of, BufferedImage preview) {
                    Job job = owners.get(index);
                    if (job.images.getFirst() != images.get(index)) return;
                    job.output.progress(step, of, preview == null ? null : PngWriter.write(preview, new LinkedHashMap<>()));
                }
            });
        } catch (RuntimeException e) {
            EngineException failure = new EngineException.Fatal(e instanceof ModelConfigException ? "model_error"
                    : "engine_error", "rendering failed: " + e.getMessage(), e);
            for (Job job : live) job.done.completeExceptionally(failure);
            return;
        }
        rendered.stream().flatMap(Optional::stream).findFirst().ifPresent(r ->
                r.steps().forEach(step -> stepTimes.record(images.getFirst().size(), images.size(), step)));
        for (Job job : live) {
            List<TextToImage.Rendered> own = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                if (owners.get(i) == job) rendered.get(i).ifPresent(own::add);
            }
            if (own.size() < job.images.size()) {
                job.done.complete(Outcome.cancelled());
                continue;
            }
            TextToImage.Rendered first = own.getFirst();
            timings.accept(new Timings(job.request.requestId(), job.images.getFirst().size(), images.size(),
                    Duration.ofNanos(start - job.enqueued), first.encode(), first.steps(), first.decode()));
            deliveries.execute(() -> deliver(job, own));
        }
    }

    private void deliver(Job job, List<TextToImage.Rendered> own) {
        try {
            for (int i = 0; i < own.size(); i++) {
                if (job.cancel.cancelled()) {
                    job.done.complete(Outcome.cancelled());
                    return;
                }
                byte[] png = PngWriter.write(own.get(i).image(), job.images.get(i).parameters(job.request.model()));
                job.output.result(i, png, "image/png");
            }
            job.done.complete(new Outcome(FinishReason.STOP, new Usage(0, own.size())));
        } catch (RuntimeException e) {
            job.done.completeExceptionally(e);
        }
    }

    private void failQueued() {
        synchronized (queue) {
            for (Job job : queue) {
                job.done.completeExceptionally(new EngineException.Retriable("engine_closed",
                        "the native image engine shut down before the request ran", null));
            }
            queue.clear();
        }
    }

    private static void log(Timings t) {
        LOG.log(System.Logger.Level.DEBUG, () -> "request " + t.requestId() + " " + t.size() + " in a batch of "
                + t.batchImages() + ": queued " + t.queue().toMillis() + " ms, encode " + t.encode().toMillis()
                + " ms, " + t.steps().size() + " steps, decode " + t.decode().toMillis() + " ms");
    }

    private record Job(GenerationRequest request, List<ImageRequest> images, Output output, CancelToken cancel,
                       long enqueued, CompletableFuture<Outcome> done) {
        Job(GenerationRequest request, List<ImageRequest> images, Output output, CancelToken cancel, long enqueued) {
            this(request, images, output, cancel, enqueued, new CompletableFuture<>());
        }

        String key() {
            return images.getFirst().size() + "/" + images.getFirst().steps();
        }
    }
}
