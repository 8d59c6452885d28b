package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.diffusion.SyntheticImageEngine;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImagesTest {
    static Platform platform;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(new PoolSpec("image", Modality.IMAGE, List.of("pix"), 20, 1)));
        platform.startWorker("image", "w-image", new SyntheticImageEngine(List.of("pix"), 2, Duration.ofMillis(5)));
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static BufferedImage png(byte[] bytes) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image).as("a decodable PNG").isNotNull();
        return image;
    }

    @Test
    void generatesImagesInOpenAisShapeAsBase64() throws IOException {
        HttpResponse<String> response = Http.post(platform.url("/v1/images/generations"), """
                {"model":"pix","prompt":"a red circle on a blue background","n":2,"size":"64x48","steps":4,"seed":5,
                 "response_format":"b64_json"}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getJsonArray("data")).hasSize(2);
        BufferedImage first = png(Base64.getDecoder().decode(body.getJsonArray("data").getJsonObject(0).getString("b64_json")));
        assertThat(first.getWidth()).isEqualTo(64);
        assertThat(first.getHeight()).isEqualTo(48);
    }

    @Test
    void answersWithUrlsThatServeTheImages() throws IOException {
        HttpResponse<String> response = Http.post(platform.url("/v1/images/generations"), """
                {"prompt":"a green square","size":"32x32","steps":2}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String url = new JsonObject(response.body()).getJsonArray("data").getJsonObject(0).getString("url");
        HttpResponse<byte[]> image = Http.getBytes(url);
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(png(image.body()).getWidth()).isEqualTo(32);
    }

    @Test
    void runsAnImageJobWithProgressAfterEveryStep() throws IOException {
        HttpResponse<String> created = Http.post(platform.url("/v1/jobs"), """
                {"type":"image","prompt":"a yellow triangle","size":"32x32","steps":5,"seed":9}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = new JsonObject(created.body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body()).getString("status").equals("completed"));
        JsonObject job = new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body());
        assertThat(job.getJsonObject("progress").getInteger("step")).isEqualTo(5);
        List<Http.Sse> events = Http.events(Http.stream(platform.url("/v1/jobs/" + id + "/events"), null));
        assertThat(events.stream().filter(e -> "progress".equals(e.event())).map(e -> e.json().getInteger("step")).toList())
                .containsExactly(1, 2, 3, 4, 5);
        assertThat(events).extracting(Http.Sse::event).contains("image").endsWith("completed");
        assertThat(events).as("no previews unless asked").noneMatch(e -> e.json().containsKey("preview_png_b64"));
        assertThat(png(Http.getBytes(platform.url("/v1/jobs/" + id + "/result")).body()).getHeight()).isEqualTo(32);
    }

    @Test
    void streamsTwoPartialImagesThenTheCompletedImage() throws IOException {
        HttpResponse<Stream<String>> response = Http.stream(platform.url("/v1/images/generations"), """
                {"model":"pix","prompt":"a red circle on a blue background","size":"64x64","steps":6,"seed":3,
                 "stream":true,"partial_images":2}""");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<Http.Sse> events = Http.events(response);

        assertThat(events).extracting(Http.Sse::event).containsExactly(
                "image_generation.partial_image", "image_generation.partial_image", "image_generation.completed");
        for (int i = 0; i < 2; i++) {
            JsonObject partial = events.get(i).json();
            assertThat(partial.getString("type")).isEqualTo("image_generation.partial_image");
            assertThat(partial.getInteger("partial_image_index")).isEqualTo(i);
            assertThat(partial.getString("size")).isEqualTo("64x64");
            assertThat(partial.getString("output_format")).isEqualTo("png");
            assertThat(png(Base64.getDecoder().decode(partial.getString("b64_json"))).getWidth()).as("a small preview").isEqualTo(8);
        }
        JsonObject completed = events.get(2).json();
        assertThat(completed.getString("type")).isEqualTo("image_generation.completed");
        assertThat(completed.getLong("created_at")).isPositive();
        BufferedImage image = png(Base64.getDecoder().decode(completed.getString("b64_json")));
        assertThat(image.getWidth()).isEqualTo(64);
        assertThat(image.getHeight()).isEqualTo(64);
    }

    @Test
    void streamsOneCompletedEventPerImageWithoutPreviewsUnlessAsked() throws IOException {
        List<Http.Sse> events = Http.events(Http.stream(platform.url("/v1/images/generations"), """
                {"model":"pix","prompt":"a green square","size":"32x32","steps":4,"n":2,"stream":true}"""));

        assertThat(events).extracting(Http.Sse::event).containsExactly("image_generation.completed", "image_generation.completed");
        for (Http.Sse event : events) {
            assertThat(png(Base64.getDecoder().decode(event.json().getString("b64_json"))).getWidth()).isEqualTo(32);
        }
    }

    @Test
    void anImageJobsProgressEventsCarryThePreviewsItAskedFor() throws IOException {
        HttpResponse<String> created = Http.post(platform.url("/v1/jobs"), """
                {"type":"image","prompt":"a yellow triangle","size":"64x32","steps":6,"seed":2,"partial_images":2}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = new JsonObject(created.body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body()).getString("status").equals("completed"));

        List<JsonObject> progress = Http.events(Http.stream(platform.url("/v1/jobs/" + id + "/events"), null)).stream()
                .filter(e -> "progress".equals(e.event())).map(Http.Sse::json).toList();
        assertThat(progress).extracting(p -> p.getInteger("step")).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(progress).filteredOn(p -> p.containsKey("preview_png_b64")).extracting(p -> p.getInteger("step"))
                .containsExactly(2, 4); // round(6/3), round(12/3)
        for (JsonObject p : progress) {
            if (!p.containsKey("preview_png_b64")) continue;
            BufferedImage preview = png(Base64.getDecoder().decode(p.getString("preview_png_b64")));
            assertThat(preview.getWidth()).isEqualTo(8);
            assertThat(preview.getHeight()).isEqualTo(8);
        }
    }

    @Test
    void rejectsPartialImagesOutOfRangeNamingTheField() {
        for (String body : List.of(
                """
                {"prompt":"x","stream":true,"partial_images":4}""",
                """
                {"prompt":"x","stream":true,"partial_images":-1}""",
                """
                {"prompt":"x","stream":true,"partial_images":1.5}""",
                """
                {"prompt":"x","stream":true,"partial_images":2,"n":2}""",
                """
                {"prompt":"x","partial_images":2}""")) {
            HttpResponse<String> response = Http.post(platform.url("/v1/images/generations"), body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            JsonObject error = new JsonObject(response.body()).getJsonObject("error");
            assertThat(error.getString("param")).as(body).isEqualTo("partial_images");
            assertThat(error.getString("type")).isEqualTo("invalid_request_error");
        }
        HttpResponse<String> job = Http.post(platform.url("/v1/jobs"), """
                {"type":"image","prompt":"x","partial_images":9}""");
        assertThat(job.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(job.body()).getJsonObject("error").getString("param")).isEqualTo("partial_images");
    }

    @Test
    void anImageJobIsNotStreamed() {
        HttpResponse<String> response = Http.post(platform.url("/v1/jobs"), """
                {"type":"image","prompt":"x","stream":true}""");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param")).isEqualTo("stream");
    }

    @Test
    void countsImagesProducedForJobsNobodyFollows() {
        String id = new JsonObject(Http.post(platform.url("/v1/jobs"), """
                {"type":"image","prompt":"a blue square","size":"16x16","steps":1,"n":2}""").body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body()).getString("status").equals("completed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(platform.url("/metrics")).body().lines()
                .filter(l -> l.startsWith("genway_images_produced_total{pool=\"image\"}"))
                .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 2));
    }

    @Test
    void rejectsASizeThatIsNotAMultipleOfEight() {
        HttpResponse<String> response = Http.post(platform.url("/v1/images/generations"), """
                {"prompt":"x","size":"100x100"}""");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param")).isEqualTo("size");
    }
}
