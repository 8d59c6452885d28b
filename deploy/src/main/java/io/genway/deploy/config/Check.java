package io.genway.deploy.config;

import java.time.Duration;

/** Range checks for the records' compact constructors; each failure names the YAML key. */
final class Check {
    private Check() {
    }

    static int range(String key, int value, int min, int max) {
        if (value < min || value > max) throw new ConfigException(key, "must be in [" + min + ", " + max + "], was " + value);
        return value;
    }

    static long range(String key, long value, long min, long max) {
        if (value < min || value > max) throw new ConfigException(key, "must be in [" + min + ", " + max + "], was " + value);
        return value;
    }

    static Duration range(String key, Duration value, Duration min, Duration max) {
        if (value == null) throw new ConfigException(key, "required");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(key, "must be in [" + Durations.format(min) + ", " + Durations.format(max) + "], was " + Durations.format(value));
        }
        return value;
    }

    static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) throw new ConfigException(key, "required, must not be empty");
        return value;
    }
}
