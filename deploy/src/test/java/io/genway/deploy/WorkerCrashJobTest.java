package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker JVM killed with SIGKILL in the middle of an image job: another worker finishes it, with one result. */
class WorkerCrashJobTest {
    private static final String POOLS = """
            - { name: image, modality: image, models: [i], engine: { type: synthetic, slots: 1, step_delay: 100ms } }""";

    @TempDir
    Path dir;

    @Test
    void imageJobCompletesOnceAfterItsWorkerIsKilled() throws IOException {
        try (CrashRig rig = new CrashRig(dir, POOLS)) {
            try {
                Process a = rig.startChildWorker("image");
                HttpResponse<String> created = rig.post("/v1/jobs", """
                        {"type":"image","model":"i","prompt":"a red circle","size":"32x32","steps":40,"seed":99}""");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
                String id = new JsonObject(created.body()).getString("id");

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> step(job(rig, id)) >= 3);
                a.destroyForcibly();
                long killedAt = System.nanoTime();
                rig.startWorkerHere("image");

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !job(rig, id).getString("status").equals("running") || step(job(rig, id)) < 3);
                System.out.printf("worker crash, job: kill -> the retry's first visible change %d ms%n",
                        Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
                await().atMost(Duration.ofSeconds(60)).until(() -> job(rig, id).getString("status").equals("completed"));

                JsonObject job = job(rig, id);
                assertThat(job.getInteger("attempt")).as(job.encode()).isGreaterThan(1);
                assertThat(job.getJsonObject("links").containsKey("results")).as("more than one result: %s", job.encode()).isFalse();
                assertThat(rig.get("/v1/jobs/" + id + "/result?index=1").statusCode()).as("a second result").isEqualTo(400);
                HttpResponse<byte[]> png = CrashRig.send(rig.request("/v1/jobs/" + id + "/result").GET(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(png.statusCode()).isEqualTo(200);
                assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
                assertThat(image).isNotNull();
                assertThat(image.getWidth()).isEqualTo(32);
            } catch (AssertionError | RuntimeException e) {
                System.out.println(rig.childLogs());
                throw e;
            }
        }
    }

    private static JsonObject job(CrashRig rig, String id) {
        return new JsonObject(rig.get("/v1/jobs/" + id).body());
    }

    private static int step(JsonObject job) {
        return job.getJsonObject("progress").getInteger("step");
    }
}
