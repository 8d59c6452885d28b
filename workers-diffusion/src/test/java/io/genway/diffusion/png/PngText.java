package io.genway.diffusion.png;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/** Reads a PNG's text chunks back through ImageIO, as any PNG reader would see them. */
public final class PngText {
    private PngText() {
    }

    /** Keyword to text, tEXt chunks first then iTXt, each in file order. */
    public static Map<String, String> read(byte[] png) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            Map<String, String> text = new LinkedHashMap<>();
            for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                for (Node entry = chunk.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                    switch (entry.getNodeName()) {
                        case "tEXtEntry" -> text.put(attribute(entry, "keyword"), attribute(entry, "value"));
                        case "iTXtEntry" -> text.put(attribute(entry, "keyword"), attribute(entry, "text"));
                        default -> { }
                    }
                }
            }
            return text;
        } finally {
            reader.dispose();
        }
    }

    private static String attribute(Node node, String name) {
        return node.getAttributes().getNamedItem(name).getNodeValue();
    }
}
