package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenwayTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return new Genway(env, dir, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aConfigurationErrorExitsWithTwoAndOneLine() throws Exception {
        Files.writeString(dir.resolve("genway.yaml"), "pools: [{ name: up, modality: text, models: [a], engine: { type: remote } }]");

        assertThat(run(Map.of(), "gateway")).isEqualTo(2);
        assertThat(errLines()).containsExactly("genway: pools[0].engine.base_url: required for engine type remote (in " + dir.resolve("genway.yaml") + ")");
    }

    @Test
    void aBadVariableIsAConfigurationError() {
        assertThat(run(Map.of("GENWAY_PORT", "x"), "standalone")).isEqualTo(2);
        assertThat(errLines()).containsExactly("genway: gateway.port: must be a whole number, was 'x' (set by GENWAY_PORT)");
    }

    @Test
    void aWorkerOfAnUnknownPoolIsAConfigurationError() {
        assertThat(run(Map.of(), "worker", "--pool", "nope")).isEqualTo(2);
        assertThat(errLines()).containsExactly("genway: pools: no pool named 'nope' (pools: text, image, synthetic-text, synthetic-image)");
    }

    @Test
    void aUsageErrorExitsWithTwo() {
        assertThat(run(Map.of(), "worker")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--pool=NAME'");
    }

    @Test
    void helpListsTheRolesAndExitsWithZero() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("standalone", "gateway", "worker", "kafka");
    }

    @Test
    void describesAFailureAndItsCausesInOneLine() {
        var e = new IllegalStateException("no answer from Kafka at k:9092", new IllegalStateException("cannot set up topics: null",
                new java.util.concurrent.TimeoutException()));
        assertThat(Genway.describe(e)).isEqualTo("no answer from Kafka at k:9092; caused by IllegalStateException: cannot set up topics: null; caused by TimeoutException");
        assertThat(Genway.describe(new UnsupportedOperationException("under construction"))).isEqualTo("under construction");
    }

    /** The real thing, in its own JVM: ready line on stdout, then SIGTERM stops the broker cleanly. */
    @Test
    void theKafkaRoleSaysWhenItIsReadyAndStopsOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Genway.class.getName(), "kafka", "--data-dir", dir.resolve("data").toString())
                .redirectError(log.toFile())
                .start();
        try {
            var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> reader.lines().filter(l -> l.startsWith("kafka ready on ")).findFirst().orElse(null))
                    .get(90, TimeUnit.SECONDS);
            assertThat(ready).matches("kafka ready on 127\\.0\\.0\\.1:\\d+");

            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("the JVM's status after SIGTERM").isEqualTo(143);
            assertThat(Files.readString(log)).contains("Kafka broker stopped");
        } finally {
            p.destroyForcibly();
        }
    }
}
