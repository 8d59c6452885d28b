package io.genway.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsEachShortUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void readsIsoFormAndBareZero() {
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("0")).isZero();
        assertThat(Durations.parse(" 15ms ")).isEqualTo(Duration.ofMillis(15));
    }

    @Test
    void rejectsANumberWithoutUnit() {
        assertThatThrownBy(() -> Durations.parse("30")).hasMessage("not a duration: '30' (write e.g. 500ms, 5s, 10m, 24h or PT5S)");
    }

    @Test
    void rejectsUnknownUnitsNegativesAndGarbage() {
        for (String bad : new String[] {"5 sec", "1.5s", "-5s", "PT-5S", "soon", "", "99999999999999999999s"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void formatsInTheLargestWholeUnit() {
        assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("1d");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
    }
}
