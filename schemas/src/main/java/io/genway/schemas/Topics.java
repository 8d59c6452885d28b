package io.genway.schemas;

import java.util.Objects;

/**
 * Every topic and group name, from one configurable prefix (default {@code genway.}).
 *
 * <p>Dead-letter topics are the exception to the prefix rule: Kafka accepts a share group's dead-letter topic only
 * when its name starts with {@code dlq.}, so the pool's is {@code dlq.<prefix>requests.<pool>}.
 */
public record Topics(String prefix) {
    public static final Topics DEFAULT = new Topics("genway.");

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.matches("[A-Za-z0-9._-]*")) throw new IllegalArgumentException("topic prefix has characters Kafka does not allow: " + prefix);
    }

    public String requests(String pool) {
        return prefix + "requests." + pool;
    }

    public String deadLetters(String pool) {
        return "dlq." + prefix + "requests." + pool;
    }

    public String events() {
        return prefix + "events";
    }

    public String jobs() {
        return prefix + "jobs";
    }

    public String results() {
        return prefix + "results";
    }

    public String control() {
        return prefix + "control";
    }

    public String workers() {
        return prefix + "workers";
    }

    /** The share group whose members are the pool's workers. */
    public String poolGroup(String pool) {
        return prefix + "pool." + pool;
    }
}
