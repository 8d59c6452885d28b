package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.deploy.config.DemoModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo models genway trains itself, served the way the built-in configuration serves them: through the
 * gateway, Kafka and the native engines, as a client sees them.
 */
class DemoModelsTest {
    private static final String POOLS = """
            - { name: text, modality: text, models: [genway-demo-stories], max_tokens: 512,
                engine: { type: native, model: "${GENWAY_HOME}/demo-models/text/demo-stories.gguf", slots: 4, kv_budget: 16MiB } }
            - { name: image, modality: image, models: [genway-demo-shapes],
                engine: { type: native, model: "${GENWAY_HOME}/demo-models/image/demo-shapes", slots: 8, max_batch: 8, sampler: ddim } }""";

    @TempDir
    Path dir;

    @Test
    void theStoryModelWritesWordsOfItsCorpusThroughTheWholeSystem() throws IOException {
        Set<String> vocabulary = new HashSet<>(Files.readAllLines(DemoModels.home().resolve("demo-models/text/words.txt")));
        try (CrashRig rig = new CrashRig(dir, POOLS)) {
            rig.startWorkerHere("text");
            await().atMost(Duration.ofSeconds(30)).until(() -> rig.liveWorkerIds("text").size() == 1);

            HttpResponse<String> completion = rig.post("/v1/completions", """
                    {"model":"genway-demo-stories","prompt":"Once upon a time","max_tokens":80,"temperature":0}""");
            assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
            String story = new JsonObject(completion.body()).getJsonArray("choices").getJsonObject(0).getString("text");
            assertWordsOf(vocabulary, story);

            // A chat goes through the model's chat template: the user's words open the story, the reply goes on.
            HttpResponse<String> chat = rig.post("/v1/chat/completions", """
                    {"model":"genway-demo-stories","max_tokens":60,"temperature":0,
                     "messages":[{"role":"user","content":"Once upon a time, there was a big dog"}]}""");
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            assertWordsOf(vocabulary, new JsonObject(chat.body()).getJsonArray("choices").getJsonObject(0)
                    .getJsonObject("message").getString("content"));
        }
    }

    private static void assertWordsOf(Set<String> vocabulary, String text) {
        List<String> words = List.of(text.replaceAll("[.,!?\"']", " ").trim().split("\\s+"));
        assertThat(words).as(text).hasSizeGreaterThan(10);
        assertThat(vocabulary).as(text).containsAll(words);
    }

    @Test
    void theShapeModelPaintsARedCircleOnBlueForMostSeeds() throws IOException {
        try (CrashRig rig = new CrashRig(dir, POOLS)) {
            rig.startWorkerHere("image");
            await().atMost(Duration.ofSeconds(30)).until(() -> rig.liveWorkerIds("image").size() == 1);

            // Eight seeds (0 to 7) in one request, at the guidance this undertrained model needs (its README).
            HttpResponse<String> response = rig.post("/v1/images/generations", """
                    {"model":"genway-demo-shapes","prompt":"a red circle on a blue background","size":"32x32","n":8,
                     "seed":0,"steps":50,"guidance_scale":15,"response_format":"b64_json"}""");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonArray data = new JsonObject(response.body()).getJsonArray("data");
            int matches = 0;
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < data.size(); i++) {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(data.getJsonObject(i).getString("b64_json"))));
                double[] centre = mean(image, 12, 12, 20, 20);
                double[] border = border(image, 3);
                boolean red = centre[0] > centre[1] + 60 && centre[0] > centre[2] + 60;
                boolean blue = border[2] > border[0] + 20 && border[2] > border[1] + 20;
                seen.append(String.format(" seed %d: centre %s, border %s;", i, rgb(centre), rgb(border)));
                if (red && blue) matches++;
            }
            // Mostly red in the middle and blue at the border.
            assertThat(matches).as("red centre and blue border:" + seen).isGreaterThanOrEqualTo(6);
        }
    }

    private static String rgb(double[] c) {
        return String.format("(%.0f,%.0f,%.0f)", c[0], c[1], c[2]);
    }

    private static double[] mean(BufferedImage image, int x0, int y0, int x1, int y1) {
        double[] sum = new double[3];
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                add(sum, image.getRGB(x, y));
                n++;
            }
        }
        for (int c = 0; c < 3; c++) sum[c] /= n;
        return sum;
    }

    private static double[] border(BufferedImage image, int width) {
        double[] sum = new double[3];
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                boolean edge = x < width || y < width || x >= image.getWidth() - width || y >= image.getHeight() - width;
                if (!edge) continue;
                add(sum, image.getRGB(x, y));
                n++;
            }
        }
        for (int c = 0; c < 3; c++) sum[c] /= n;
        return sum;
    }

    private static void add(double[] sum, int rgb) {
        sum[0] += (rgb >> 16) & 0xff;
        sum[1] += (rgb >> 8) & 0xff;
        sum[2] += rgb & 0xff;
    }
}
