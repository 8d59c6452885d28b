package io.genway.diffusion.png;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.SequencedMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes an image as PNG with text chunks that say how it was made (prompt, seed, steps...), the way diffusion
 * front ends record generation parameters. Same image and text, same bytes: nothing time-dependent is written.
 *
 * <p>A value goes into a {@code tEXt} chunk when it is Latin-1, which every PNG reader shows; otherwise (a prompt in
 * Japanese, an emoji) into an {@code iTXt} chunk, which holds UTF-8, because {@code tEXt} cannot.
 */
public final class PngWriter {
    private static final String FORMAT = "javax_imageio_png_1.0";
    private static final int MAX_KEYWORD = 79;

    private PngWriter() {
    }

    /** The PNG bytes of {@code image} with one text chunk per entry of {@code text}, in the map's order. */
    public static byte[] write(BufferedImage image, SequencedMap<String, String> text) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            metadata.mergeTree(FORMAT, textTree(text));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), param);
            }
            return bytes.toByteArray();
        } catch (IIOInvalidTreeException e) {
            throw new IllegalStateException("PNG text metadata rejected by the encoder", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams: only a bug gets here
        } finally {
            writer.dispose();
        }
    }

    private static IIOMetadataNode textTree(SequencedMap<String, String> text) {
        IIOMetadataNode latin = new IIOMetadataNode("tEXt");
        IIOMetadataNode unicode = new IIOMetadataNode("iTXt");
        for (Map.Entry<String, String> e : text.entrySet()) {
            String keyword = checkedKeyword(e.getKey());
            String value = e.getValue() == null ? "" : e.getValue();
            if (latin1(value)) {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", keyword);
                entry.setAttribute("value", value);
                latin.appendChild(entry);
            } else {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", keyword);
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", value);
                unicode.appendChild(entry);
            }
        }
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        if (latin.hasChildNodes()) root.appendChild(latin);
        if (unicode.hasChildNodes()) root.appendChild(unicode);
        return root;
    }

    /** PNG keywords: 1 to 79 printable Latin-1 characters, no leading, trailing or double spaces. */
    private static String checkedKeyword(String keyword) {
        boolean printable = keyword != null && keyword.chars().allMatch(c -> (c >= 32 && c <= 126) || (c >= 161 && c <= 255));
        if (!printable || keyword.isEmpty() || keyword.length() > MAX_KEYWORD || keyword.startsWith(" ")
                || keyword.endsWith(" ") || keyword.contains("  ")) {
            throw new IllegalArgumentException("text keyword must be 1 to " + MAX_KEYWORD + " printable Latin-1 characters, was '" + keyword + "'");
        }
        return keyword;
    }

    private static boolean latin1(String value) {
        return value.chars().allMatch(c -> c > 0 && c <= 255);
    }
}
