package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genway generate} run in-process, against stories260K from the shared folder (skipped without it). */
class GenerateTest {
    /** llama.cpp's greedy continuation of "Once upon a time" (32 tokens), from the shared reference. */
    private static final String LLAMA_CPP = ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Genway(Map.of(), dir, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static Path stories260K() {
        String shared = System.getProperty("genway.shared.dir", System.getenv("GENWAY_SHARED_DIR"));
        Path model = shared == null ? null : Path.of(shared, "models", "stories260K.gguf");
        assumeTrue(model != null && Files.isRegularFile(model), "shared model stories260K.gguf is missing: skipping the generate test");
        return model;
    }

    @Test
    void greedyGenerationPrintsLlamaCppsContinuationAndASummary() {
        int status = run("generate", "--model", stories260K().toString(), "--prompt", "Once upon a time", "--max-tokens", "32", "--greedy");

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(LLAMA_CPP + System.lineSeparator());
        assertThat(errLines()).singleElement().asString()
                .matches("prompt 5 tokens, generated 32 tokens, first token [0-9.]+ ms, [0-9.]+ tokens/s");
    }

    @Test
    void chatSendsThePromptAsOneUserMessageThroughTheTemplate() throws Exception {
        Path model = stories260K();
        int[] expected; // stories260K has no chat template: the plain fallback's role lines, BOS first
        try (var file = io.genway.llm.gguf.GgufFile.open(model)) {
            expected = io.genway.llm.tokenizer.Tokenizer.from(file.metadata()).encode("user: Once upon a time\nassistant:", true, true);
        }

        int status = run("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "4", "--greedy", "--chat");

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(errLines()).singleElement().asString().startsWith("prompt " + expected.length + " tokens,");
    }

    @Test
    void theSameSeedSamplesTheSameText() {
        String[] args = {"generate", "--model", stories260K().toString(), "--prompt", "Once upon a time", "--max-tokens", "24", "--seed", "7"};
        assertThat(run(args)).isZero();
        String first = out.toString(StandardCharsets.UTF_8);
        out.reset();

        assertThat(run(args)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(first);
    }

    @Test
    void aMissingModelExitsWithTwoAndOneLine() {
        Path missing = dir.resolve("nope.gguf");

        assertThat(run("generate", "--model", missing.toString(), "--prompt", "hi")).isEqualTo(2);
        assertThat(errLines()).containsExactly("genway generate: cannot run model " + missing + ": no such file");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aFileThatIsNotGgufExitsWithTwoAndOneLine() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.gguf"), "these are not the weights you are looking for");

        assertThat(run("generate", "--model", text.toString(), "--prompt", "hi")).isEqualTo(2);
        assertThat(errLines()).singleElement().asString().startsWith("genway generate: cannot run model " + text + ": ");
    }
}
