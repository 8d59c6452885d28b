package io.genway.deploy;

import io.genway.diffusion.pipeline.ImageModel;
import io.genway.diffusion.pipeline.ImageRequest;
import io.genway.diffusion.pipeline.ModelParts;
import io.genway.diffusion.pipeline.Sampler;
import io.genway.diffusion.pipeline.TextToImage;
import io.genway.diffusion.png.PngWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code genway imagine}: one image from a diffusers text-to-image folder in this process, no Kafka and no gateway.
 * A progress bar over the denoising steps and one summary line go to stderr; the PNG, carrying its generation
 * parameters, to {@code --out}.
 */
@Command(name = "imagine", mixinStandardHelpOptions = true,
        description = "Renders one image with a diffusers text-to-image model in this process (no Kafka, no gateway).")
final class Imagine implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final int BAR = 30;

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the diffusers folder (with model_index.json)")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "what to draw")
    String prompt;

    @Option(names = "--negative", paramLabel = "TEXT", description = "what to steer away from (default: nothing)")
    String negative = "";

    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default 25)")
    int steps = 25;

    @Option(names = "--sampler", paramLabel = "NAME",
            description = "ddim, ddpm, euler, euler_a, dpmpp_2m or dpmpp_2m_karras (default: the model's scheduler)")
    String sampler;

    @Option(names = "--guidance", paramLabel = "G", description = "classifier-free guidance scale; 1 or less turns it off (default 7.5)")
    double guidance = 7.5;

    @Option(names = "--seed", paramLabel = "S", description = "the noise seed (default: a fresh one, printed)")
    Long seed;

    @Option(names = "--size", paramLabel = "WxH", description = "image size in pixels (default: the model's own)")
    String size;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "where to write the PNG")
    Path out;

    /** Where the UNet and VAE passes come from; tests substitute their own parts. */
    private final ModelParts parts;

    Imagine() {
        this(ModelParts.NATIVE);
    }

    Imagine(ModelParts parts) {
        this.parts = parts;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String invalid = invalidOption();
        if (invalid != null) {
            err.println("genway imagine: " + invalid);
            return Genway.CONFIG_ERROR;
        }
        ImageModel loaded;
        try {
            loaded = ImageModel.load(model, parts);
        } catch (IOException | RuntimeException e) {
            err.println("genway imagine: cannot run model " + model + ": " + reason(e));
            return Genway.CONFIG_ERROR;
        }
        int width = loaded.defaultSide();
        int height = loaded.defaultSide();
        if (size != null) {
            Matcher m = SIZE.matcher(size);
            m.matches();
            width = Integer.parseInt(m.group(1));
            height = Integer.parseInt(m.group(2));
        }
        int factor = loaded.sizeMultiple();
        if (width % factor != 0 || height % factor != 0) {
            err.println("genway imagine: --size " + width + "x" + height + " must be a multiple of " + factor
                    + " on each side for this model");
            return Genway.CONFIG_ERROR;
        }
        ImageRequest request;
        try {
            request = new ImageRequest(prompt, negative, seed != null ? seed : ThreadLocalRandom.current().nextLong(0, 1L << 32),
                    steps, sampler != null ? Sampler.named(sampler) : loaded.defaultSampler(), guidance, width, height);
        } catch (IllegalArgumentException e) {
            err.println("genway imagine: " + e.getMessage());
            return Genway.CONFIG_ERROR;
        }

        List<Optional<TextToImage.Rendered>> rendered;
        try {
            rendered = loaded.pipeline().render(List.of(request), new TextToImage.Listener() {
                @Override
                public boolean cancelled(int index) {
                    return false;
                }

                @Override
                public void stepDone(int index, int step, int of, BufferedImage preview) {
                    err.print("\r" + bar(step, of));
                    err.flush();
                }
            });
        } catch (RuntimeException e) {
            err.println();
            err.println("genway imagine: cannot run model " + model + ": " + reason(e));
            return Genway.CONFIG_ERROR;
        }
        err.println();
        TextToImage.Rendered image = rendered.getFirst().orElseThrow();
        try {
            Files.write(out, PngWriter.write(image.image(), request.parameters(model.getFileName().toString())));
        } catch (IOException e) {
            err.println("genway imagine: cannot write " + out + ": " + reason(e));
            return Genway.FAILURE;
        }
        err.println(summary(request, image, out));
        err.flush();
        return 0;
    }

    /** The first option out of range, as a message naming the flag; null when all are fine. */
    private String invalidOption() {
        if (steps < 1 || steps > ImageRequest.MAX_STEPS) return "--steps must be in [1, " + ImageRequest.MAX_STEPS + "], was " + steps;
        if (!(guidance >= 0 && guidance <= 50)) return "--guidance must be in [0, 50], was " + guidance;
        if (sampler != null) {
            try {
                Sampler.named(sampler);
            } catch (IllegalArgumentException e) {
                return "--sampler: " + e.getMessage();
            }
        }
        if (size != null) {
            Matcher m = SIZE.matcher(size);
            if (!m.matches()) return "--size must be WxH in pixels, e.g. 512x512, was '" + size + "'";
            int w = Integer.parseInt(m.group(1));
            int h = Integer.parseInt(m.group(2));
            if (w < 8 || h < 8 || w > ImageRequest.MAX_SIDE || h > ImageRequest.MAX_SIDE || w % 8 != 0 || h % 8 != 0) {
                return "--size sides must be multiples of 8 in [8, " + ImageRequest.MAX_SIDE + "], was " + size;
            }
        }
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) return "--out: no such folder " + folder;
        return null;
    }

    /** {@code [#########---------]  12/25}. */
    static String bar(int step, int of) {
        int filled = (int) ((long) step * BAR / of);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + String.format(Locale.ROOT, "%3d/%d", step, of);
    }

    static String summary(ImageRequest request, TextToImage.Rendered image, Path out) {
        double perStep = image.steps().stream().mapToLong(d -> d.toNanos()).average().orElse(0) / 1e9;
        return String.format(Locale.ROOT, "%s, %d steps (%s), guidance %s, seed %d: encode %d ms, %.3f s/step, decode %d ms -> %s",
                request.size(), request.steps(), request.sampler().wireName(), request.guidance(), request.seed(),
                image.encode().toMillis(), perStep, image.decode().toMillis(), out);
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException n) return "no such file " + n.getFile();
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return message.replace('\n', ' ');
    }
}
