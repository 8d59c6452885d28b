package io.genway.diffusion;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * One synthetic image: a target drawn from the prompt (where the seed places and sizes the shape, and picks the
 * colours the prompt leaves open) and the seeded Gaussian noise a run starts from. {@link #frame} renders the
 * blend {@code x_t = lerp(noise, target, t)} at any point {@code t} of the schedule; at {@code t = 1} it is the
 * target itself, so a final image costs no noise.
 */
final class SyntheticPicture {
    /** Noise pixels are {@code 128 + NOISE_SIGMA * N(0, 1)} per channel, clamped. */
    private static final double NOISE_SIGMA = 64;

    private final PromptScene scene;
    private final long seed;
    private final double centreX; // fraction of the width
    private final double centreY; // fraction of the height
    private final double size;    // fraction of the shorter side: a circle's radius, a square's half side

    private SyntheticPicture(PromptScene scene, long seed, double centreX, double centreY, double size) {
        this.scene = scene;
        this.seed = seed;
        this.centreX = centreX;
        this.centreY = centreY;
        this.size = size;
    }

    static SyntheticPicture of(String prompt, String negativePrompt, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        PromptScene scene = PromptScene.read(prompt, negativePrompt, random);
        // Kept small enough that the centre always lies inside the shape and the corners outside it.
        double cx = 0.5 + random.nextDouble(-0.06, 0.06);
        double cy = 0.5 + random.nextDouble(-0.06, 0.06);
        double size = random.nextDouble(0.28, 0.36);
        return new SyntheticPicture(scene, seed, cx, cy, size);
    }

    PromptScene scene() {
        return scene;
    }

    /** The image at point {@code t} in [0, 1] of the schedule: pure noise at 0, the target at 1. */
    BufferedImage frame(int width, int height, double t) {
        if (!(t >= 0 && t <= 1)) throw new IllegalArgumentException("t must be in [0, 1], was " + t);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData(); // (y, x) row-major 0xRRGGBB
        // The noise has its own stream so that it does not depend on how many numbers the scene drew.
        SplittableRandom noise = t < 1 ? new SplittableRandom(seed).split() : null;
        double cx = centreX * width;
        double cy = centreY * height;
        double r = size * Math.min(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double coverage = coverage(x + 0.5 - cx, y + 0.5 - cy, r);
                int target = mix(scene.background(), scene.foreground(), coverage);
                pixels[y * width + x] = noise == null ? target : blend(noisePixel(noise), target, t);
            }
        }
        return image;
    }

    /** How much of the pixel at offset (dx, dy) from the centre the shape covers: a one-pixel soft edge. */
    private double coverage(double dx, double dy, double r) {
        double distance = switch (scene.shape()) {
            case CIRCLE -> Math.hypot(dx, dy) - r;
            case SQUARE -> box(dx, dy, r);
            case TRIANGLE -> triangle(dx, -dy, r); // image y points down, the triangle's apex up
        };
        return Math.clamp(0.5 - distance, 0.0, 1.0);
    }

    /** Signed distance to an axis-aligned square of half side {@code h}. */
    private static double box(double dx, double dy, double h) {
        double qx = Math.abs(dx) - h;
        double qy = Math.abs(dy) - h;
        return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
    }

    /** Signed distance to an equilateral triangle of half side {@code h} centred on its centroid (after Quilez). */
    private static double triangle(double px, double py, double h) {
        double k = Math.sqrt(3);
        px = Math.abs(px) - h;
        py = py + h / k;
        if (px + k * py > 0) {
            double nx = (px - k * py) / 2;
            double ny = (-k * px - py) / 2;
            px = nx;
            py = ny;
        }
        px -= Math.clamp(px, -2 * h, 0);
        return -Math.hypot(px, py) * Math.signum(py);
    }

    private static int noisePixel(SplittableRandom noise) {
        int r = channel(128 + NOISE_SIGMA * noise.nextGaussian());
        int g = channel(128 + NOISE_SIGMA * noise.nextGaussian());
        int b = channel(128 + NOISE_SIGMA * noise.nextGaussian());
        return r << 16 | g << 8 | b;
    }

    private static int mix(int from, int to, double t) {
        if (t <= 0) return from;
        if (t >= 1) return to;
        return blend(from, to, t);
    }

    private static int blend(int from, int to, double t) {
        int r = channel(lerp(from >> 16 & 0xFF, to >> 16 & 0xFF, t));
        int g = channel(lerp(from >> 8 & 0xFF, to >> 8 & 0xFF, t));
        int b = channel(lerp(from & 0xFF, to & 0xFF, t));
        return r << 16 | g << 8 | b;
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static int channel(double v) {
        return Math.clamp(Math.round(v), 0, 255);
    }
}
