package io.genway.deploy.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in configuration: {@code 500ms}, {@code 5s}, {@code 10m}, {@code 24h},
 * {@code 7d}, a bare {@code 0}, or java.time's ISO form ({@code PT1M30S}).
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with a message that says what was expected; the caller adds where */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.equals("0")) return Duration.ZERO;
        Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            try {
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (ArithmeticException e) {
                throw bad(text);
            }
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t);
                if (d.isNegative()) throw new IllegalArgumentException("must not be negative, was '" + text + "'");
                return d;
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
        throw bad(text);
    }

    /** The short form, for messages and printing the effective configuration. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0";
        if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 500ms, 5s, 10m, 24h or PT5S)");
    }
}
