package io.genway.diffusion.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes config files into a test's temporary folder. */
final class ConfigFolders {
    private ConfigFolders() {}

    static Path write(Path dir, String relative, String json) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, json);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
