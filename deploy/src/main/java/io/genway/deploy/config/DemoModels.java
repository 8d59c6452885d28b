package io.genway.deploy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The small demo models genway trains itself and keeps in {@code demo-models/} (see its README): a llama-family
 * GGUF that writes children's stories and a pixel-space diffusers folder that paints coloured shapes. The built-in
 * configuration serves them through the native engines, so a machine with no network shows real text and images.
 *
 * <p>They are found under genway's home: the {@code genway.home} system property (the {@code ./genway} launcher
 * sets it to the repository), else {@code $GENWAY_HOME}, else the working directory. A YAML file reaches the same
 * place as {@code ${GENWAY_HOME}}.
 */
public final class DemoModels {
    public static final String TEXT_MODEL = "genway-demo-stories";
    public static final String IMAGE_MODEL = "genway-demo-shapes";
    /** The sampler the image model was checked with (its README): it gets the prompt's colours more often. */
    public static final String IMAGE_SAMPLER = "ddim";
    static final String TEXT_FILE = "demo-models/text/demo-stories.gguf";
    static final String IMAGE_FOLDER = "demo-models/image/demo-shapes";

    private DemoModels() {
    }

    public static Path home() {
        String property = System.getProperty("genway.home");
        if (property != null && !property.isBlank()) return Path.of(property).toAbsolutePath().normalize();
        String env = System.getenv("GENWAY_HOME");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        return Path.of("").toAbsolutePath();
    }

    /** The demo text model's GGUF file, when it is there. */
    public static Optional<Path> text() {
        Path file = home().resolve(TEXT_FILE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The demo image model's diffusers folder, when it is there. */
    public static Optional<Path> image() {
        Path folder = home().resolve(IMAGE_FOLDER);
        return Files.isRegularFile(folder.resolve("model_index.json")) ? Optional.of(folder) : Optional.empty();
    }
}
