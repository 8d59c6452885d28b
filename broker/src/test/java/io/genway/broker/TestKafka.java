package io.genway.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * One real broker per test JVM, started on first use and stopped when the JVM exits: starting Kafka costs
 * seconds, so test classes share it and keep apart by using their own topic prefix ({@link #uniquePrefix}).
 */
public final class TestKafka {
    private static EmbeddedKafka broker;

    private TestKafka() {
    }

    public static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("genway-test-kafka");
                broker = EmbeddedKafka.start(dir, 0, Map.of());
                EmbeddedKafka started = broker;
                Runtime.getRuntime().addShutdownHook(new Thread(started::close));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** A topic prefix no other test uses, e.g. {@code t3f9a1c.}. */
    public static String uniquePrefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }
}
