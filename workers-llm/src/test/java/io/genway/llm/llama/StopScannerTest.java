package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopScannerTest {

    @Test
    void holdsBackTextThatMayStartAStopSequence() {
        StopScanner scanner = new StopScanner(List.of("END"));

        assertThat(scanner.accept("the E")).isEqualTo("the ");
        assertThat(scanner.accept("N")).isEmpty();
        assertThat(scanner.accept("D and more")).isEmpty();
        assertThat(scanner.stopped()).isTrue();
    }

    @Test
    void releasesHeldTextOnceItCannotBeAStopSequence() {
        StopScanner scanner = new StopScanner(List.of("END"));

        assertThat(scanner.accept("the E")).isEqualTo("the ");
        assertThat(scanner.accept("gg")).isEqualTo("Egg");
        assertThat(scanner.stopped()).isFalse();
    }

    @Test
    void cutsAtTheEarliestOfSeveralStopSequences() {
        StopScanner scanner = new StopScanner(List.of("b", "a"));

        assertThat(scanner.accept("xxabc")).isEqualTo("xx");
    }

    @Test
    void givesBackHeldTextAtTheEnd() {
        StopScanner scanner = new StopScanner(List.of("END"));

        scanner.accept("the EN");
        assertThat(scanner.finish()).isEqualTo("EN");
    }
}
