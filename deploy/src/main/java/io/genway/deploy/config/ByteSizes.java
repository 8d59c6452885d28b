package io.genway.deploy.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as people write them in configuration: a bare number of bytes, or a number with a binary unit
 * ({@code KiB}, {@code MiB}, {@code GiB}, {@code TiB}) or a decimal one ({@code KB}, {@code MB}, {@code GB},
 * {@code TB}); {@code B} means bytes.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b|b)?");

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException with a message that says what was expected; the caller adds where */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw bad(text);
        String unit = m.group(2) == null ? "b" : m.group(2);
        long scale = switch (unit) {
            case "b" -> 1;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            default -> 1_000_000_000_000L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), scale);
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(text);
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("must be a size in bytes with an optional unit (e.g. 512MiB, 2GiB, 800MB), was '" + text + "'");
    }
}
