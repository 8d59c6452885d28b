package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.SchedulerConfig;
import io.genway.diffusion.random.TorchGenerator;
import io.genway.diffusion.schedulers.Scheduler;
import io.genway.diffusion.schedulers.StepResult;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * diffusers' {@code StableDiffusionPipeline.__call__} for a batch of requests that share size and step count:
 * <ol>
 *   <li>each prompt, and each guided request's negative prompt, is encoded;</li>
 *   <li>each request's starting sample is {@code randn(1, C, H/f, W/f)} from its own {@link TorchGenerator}
 *       seeded with the request's seed, times its scheduler's init noise sigma, so an image is the same whether
 *       rendered alone or batched (diffusers with one generator per image);</li>
 *   <li>every step runs the denoiser once on all rows, diffusers' order: the unconditional rows of the guided
 *       requests, then every request's conditional row; guidance is {@code uncond + g (cond - uncond)}; each
 *       request's own scheduler (requests may use different samplers) steps its sample, drawing any noise from its
 *       own generator;</li>
 *   <li>each finished sample is decoded and mapped to 8-bit pixels as diffusers' image processor does:
 *       {@code round(clamp(x / 2 + 0.5, 0, 1) * 255)}.</li>
 * </ol>
 * A request that asks for previews gets them after the steps its {@link PreviewPlan} names: its scheduler's estimate
 * of the clean sample after that step (the x0 that DDIM, Euler and DPM-Solver++ compute anyway), mapped to RGB by
 * {@link LatentDecoder#preview} at sample resolution (64x64 for a 512x512 Stable Diffusion image), with no VAE pass.
 * Immutable; runs on the caller's thread, and several renders may run at once if the parts allow it.
 */
public final class TextToImage {
    private final PromptEncoder encoder;
    private final Denoiser denoiser;
    private final LatentDecoder decoder;
    private final SchedulerConfig schedulerConfig;
    private final LongSupplier nanoTime;

    /** Previews are shrunk by a whole factor until neither side is longer than this (pixel models at large sizes). */
    static final int MAX_PREVIEW_SIDE = 256;

    /** Told about each request of a batch as the render goes; called on the rendering thread, so keep it short. */
    public interface Listener {
        /** Polled before every step; a request that answers true leaves the batch and gets no image. */
        boolean cancelled(int index);

        /**
         * Request {@code index} has finished step {@code step} of {@code of}; {@code preview} is its image in progress
         * after this step when its plan has one here, else null.
         */
        void stepDone(int index, int step, int of, BufferedImage preview);

        Listener NONE = new Listener() {
            @Override
            public boolean cancelled(int index) {
                return false;
            }

            @Override
            public void stepDone(int index, int step, int of, BufferedImage preview) {}
        };
    }

    /**
     * A finished image and where its time went.
     *
     * @param steps the batch's wall time of each denoising step this request took part in
     */
    public record Rendered(BufferedImage image, Duration encode, List<Duration> steps, Duration decode) {
        public Rendered {
            Objects.requireNonNull(image, "image");
            steps = List.copyOf(steps);
        }
    }

    public TextToImage(PromptEncoder encoder, Denoiser denoiser, LatentDecoder decoder,
                       SchedulerConfig schedulerConfig) {
        this(encoder, denoiser, decoder, schedulerConfig, System::nanoTime);
    }

    TextToImage(PromptEncoder encoder, Denoiser denoiser, LatentDecoder decoder, SchedulerConfig schedulerConfig,
                LongSupplier nanoTime) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.denoiser = Objects.requireNonNull(denoiser, "denoiser");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.schedulerConfig = Objects.requireNonNull(schedulerConfig, "schedulerConfig");
        this.nanoTime = nanoTime;
    }

    /** The side lengths in pixels must be multiples of this. */
    public int scaleFactor() {
        return decoder.scaleFactor();
    }

    /**
     * Renders every request of {@code batch} together; element i is empty when request i was cancelled.
     *
     * @throws IllegalArgumentException when the requests differ in size or step count, or a size is not a multiple
     *     of {@link #scaleFactor()}
     */
    public List<Optional<Rendered>> render(List<ImageRequest> batch, Listener listener) {
        if (batch.isEmpty()) return List.of();
        ImageRequest first = batch.getFirst();
        for (ImageRequest request : batch) {
            if (request.width() != first.width() || request.height() != first.height()
                    || request.steps() != first.steps()) {
                throw new IllegalArgumentException("a batch shares size and steps: " + request.size() + "/"
                        + request.steps() + " next to " + first.size() + "/" + first.steps());
            }
        }
        int factor = decoder.scaleFactor();
        if (first.width() % factor != 0 || first.height() % factor != 0) {
            throw new IllegalArgumentException("size " + first.size() + " must be a multiple of " + factor);
        }
        int height = first.height() / factor;
        int width = first.width() / factor;
        int channels = denoiser.channels();
        int sampleSize = channels * height * width;

        List<Item> items = new ArrayList<>();
        for (ImageRequest request : batch) items.add(new Item(request));
        int tokens = encoder.tokens();
        int contextSize = tokens * encoder.width();
        int steps = -1;
        for (Item item : items) {
            long start = nanoTime.getAsLong();
            item.cond = checkedContext(encoder.encode(item.request.prompt()), contextSize);
            if (item.request.guided()) {
                item.uncond = checkedContext(encoder.encode(item.request.negativePrompt()), contextSize);
            }
            item.encode = Duration.ofNanos(nanoTime.getAsLong() - start);
            item.timesteps = item.scheduler.setTimesteps(item.request.steps());
            item.previews = new PreviewPlan(item.timesteps.length, item.request.previews());
            if (steps >= 0 && item.timesteps.length != steps) {
                throw new IllegalArgumentException("samplers planned " + steps + " and " + item.timesteps.length
                        + " steps for one batch");
            }
            steps = item.timesteps.length;
            float sigma = item.scheduler.initNoiseSigma();
            float[] noise = item.generator.randn(sampleSize);
            for (int i = 0; i < sampleSize; i++) noise[i] *= sigma;
            item.sample = noise;
        }

        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                if (!item.cancelled && listener.cancelled(i)) item.cancelled = true;
            }
            List<Item> active = items.stream().filter(item -> !item.cancelled).toList();
            if (active.isEmpty()) break;
            long start = nanoTime.getAsLong();
            denoise(active, step, height, width, tokens, contextSize);
            Duration took = Duration.ofNanos(nanoTime.getAsLong() - start);
            for (Item item : active) item.steps.add(took);
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                if (item.cancelled) continue;
                BufferedImage preview = item.previews.includes(step + 1) ? preview(item.estimate, channels, height, width) : null;
                listener.stepDone(i, step + 1, steps, preview);
            }
        }

        List<Optional<Rendered>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item.cancelled || listener.cancelled(i)) {
                out.add(Optional.empty());
                continue;
            }
            long start = nanoTime.getAsLong();
            float[] pixels = decoder.decode(item.sample, channels, height, width);
            BufferedImage image = toImage(pixels, first.width(), first.height());
            out.add(Optional.of(new Rendered(image, item.encode, item.steps,
                    Duration.ofNanos(nanoTime.getAsLong() - start))));
        }
        return out;
    }

    /** One denoiser call for all active requests, then each request's guidance and scheduler step. */
    private void denoise(List<Item> active, int step, int height, int width, int tokens, int contextSize) {
        int sampleSize = active.getFirst().sample.length;
        List<Item> guided = active.stream().filter(item -> item.request.guided()).toList();
        int rows = guided.size() + active.size();
        float[] input = new float[rows * sampleSize];
        float[] context = new float[rows * contextSize];
        float[] timesteps = new float[rows];
        float[][] scaled = new float[active.size()][];
        for (int a = 0; a < active.size(); a++) {
            Item item = active.get(a);
            scaled[a] = item.scheduler.scaleModelInput(item.sample, item.timesteps[step]);
        }
        int row = 0;
        for (Item item : guided) {
            int a = active.indexOf(item);
            System.arraycopy(scaled[a], 0, input, row * sampleSize, sampleSize);
            System.arraycopy(item.uncond, 0, context, row * contextSize, contextSize);
            timesteps[row++] = (float) item.timesteps[step];
        }
        for (int a = 0; a < active.size(); a++) {
            Item item = active.get(a);
            System.arraycopy(scaled[a], 0, input, row * sampleSize, sampleSize);
            System.arraycopy(item.cond, 0, context, row * contextSize, contextSize);
            timesteps[row++] = (float) item.timesteps[step];
        }
        float[] output = denoiser.predict(input, rows, height, width, timesteps, context, tokens);
        if (output.length % rows != 0) {
            throw new IllegalStateException("the denoiser returned " + output.length + " floats for " + rows + " rows");
        }
        int outSize = output.length / rows;
        for (int a = 0; a < active.size(); a++) {
            Item item = active.get(a);
            int condRow = guided.size() + a;
            float[] prediction = Arrays.copyOfRange(output, condRow * outSize, (condRow + 1) * outSize);
            if (item.request.guided()) {
                int uncondRow = guided.indexOf(item);
                float g = (float) item.request.guidance();
                for (int i = 0; i < outSize; i++) {
                    float uncond = output[uncondRow * outSize + i];
                    prediction[i] = uncond + g * (prediction[i] - uncond);
                }
            }
            StepResult result = item.scheduler.step(prediction, item.timesteps[step], item.sample, 1, item.generator);
            item.sample = result.prevSample();
            item.estimate = result.predictedOriginal();
        }
    }

    /** The scheduler's clean-sample estimate (channels, height, width) as a small RGB image. */
    private BufferedImage preview(float[] estimate, int channels, int height, int width) {
        float[] rgb = decoder.preview(estimate, channels, height, width);
        int shrink = Math.ceilDiv(Math.max(height, width), MAX_PREVIEW_SIDE);
        if (shrink > 1) {
            int h = Math.ceilDiv(height, shrink);
            int w = Math.ceilDiv(width, shrink);
            return toImage(shrink(rgb, height, width, shrink), w, h);
        }
        return toImage(rgb, width, height);
    }

    /** (3, height, width) averaged over factor x factor blocks (the last row and column of blocks may be partial). */
    static float[] shrink(float[] rgb, int height, int width, int factor) {
        int h = Math.ceilDiv(height, factor);
        int w = Math.ceilDiv(width, factor);
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float sum = 0;
                    int n = 0;
                    for (int yy = y * factor; yy < Math.min(height, (y + 1) * factor); yy++) {
                        for (int xx = x * factor; xx < Math.min(width, (x + 1) * factor); xx++) {
                            sum += rgb[(c * height + yy) * width + xx];
                            n++;
                        }
                    }
                    out[(c * h + y) * w + x] = sum / n;
                }
            }
        }
        return out;
    }

    private static float[] checkedContext(float[] states, int expected) {
        if (states.length != expected) {
            throw new IllegalStateException("the prompt encoder returned " + states.length + " floats, not "
                    + expected);
        }
        return states;
    }

    /** (3, height, width) in [-1, 1] to RGB: {@code round(clamp(x / 2 + 0.5, 0, 1) * 255)}. */
    static BufferedImage toImage(float[] pixels, int width, int height) {
        int plane = width * height;
        if (pixels.length != 3 * plane) {
            throw new IllegalStateException("the decoder returned " + pixels.length + " floats for a " + width + "x"
                    + height + " RGB image");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                int rgb = channel(pixels[p]) << 16 | channel(pixels[plane + p]) << 8 | channel(pixels[2 * plane + p]);
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    private static int channel(float value) {
        float unit = Math.clamp(value / 2f + 0.5f, 0f, 1f);
        return (int) Math.rint(unit * 255f); // numpy's round: half to even
    }

    /** One request's state through a render. */
    private final class Item {
        final ImageRequest request;
        final Scheduler scheduler;
        final TorchGenerator generator;
        final List<Duration> steps = new ArrayList<>();
        float[] cond;
        float[] uncond;
        float[] sample;
        float[] estimate; // the scheduler's x0 after the last step
        PreviewPlan previews;
        double[] timesteps;
        Duration encode;
        boolean cancelled;

        Item(ImageRequest request) {
            this.request = request;
            this.scheduler = request.sampler().create(schedulerConfig);
            this.generator = TorchGenerator.seeded(request.seed());
        }
    }
}
