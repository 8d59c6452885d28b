package io.genway.diffusion.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made files, for the malformed ones the writer refuses to produce. */
final class SafetensorsFixtures {
    private SafetensorsFixtures() {}

    static Path raw(Path dir, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Path file = dir.resolve("handmade.safetensors");
        Files.write(file, out.array());
        return file;
    }
}
