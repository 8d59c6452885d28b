package io.genway.gateway.jobs;

import io.genway.gateway.kafka.Publisher;
import io.genway.schemas.ErrorInfo;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.Json;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells clients about requests the broker set aside: a request that crashed its worker on every delivery (or that
 * no worker could read) lands in its pool's dead-letter topic, and nobody else would ever end it. This follower
 * publishes its terminal {@code Failed} event and, for a job, its failed state.
 *
 * <p>Every gateway instance runs one, in one consumer group, so each dead letter is handled once; its offset is
 * committed only after the failure is acknowledged by Kafka, so a gateway that dies midway leaves it to another.
 */
public final class DeadLetters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    /** Above any sequence number a run can reach, so every reader forwards this terminal event. */
    static final long DEAD_LETTER_SEQ = 1L << 40;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Publisher publisher;
    private final JobView jobs;
    private final InstantSource clock;
    private final Thread thread;
    private volatile boolean closed;

    public DeadLetters(String bootstrapServers, Topics topics, Collection<String> pools, Map<String, String> extra,
                       Publisher publisher, JobView jobs, InstantSource clock) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "gateway.dead-letters");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-dead-letters");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(pools.stream().map(topics::deadLetters).toList());
        this.publisher = publisher;
        this.jobs = jobs;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("genway-dead-letters").daemon().unstarted(this::loop);
        thread.start();
    }

    private void loop() {
        try {
            while (!closed) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) fail(record);
                if (!records.isEmpty()) consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) log.error("dead-letter follower stopped: set-aside requests will not be reported to clients", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void fail(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            log.warn("a dead letter without a request id at {}-{}@{}; its request cannot be reported", record.topic(), record.partition(), record.offset());
            return;
        }
        String attempts = header(record, "__dlq.errors.delivery.count");
        String why = header(record, "__dlq.errors.message");
        ErrorInfo error = new ErrorInfo("server_error", "The request was set aside after " + (attempts == null ? "repeated" : attempts)
                + " delivery attempt(s) that did not finish (its worker crashed or could not read it)"
                + (why == null ? "." : ": " + why), "delivery_limit_exceeded");
        long now = clock.millis();
        int attempt = attempts == null ? 0 : Integer.parseInt(attempts.trim());
        try {
            publisher.event(new StreamEvent.Failed(record.key(), attempt, DEAD_LETTER_SEQ, now, error, false))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            JobState job = jobs.get(record.key()).orElseGet(() -> fromRequest(record, now));
            if (job != null && !job.status().terminal()) {
                JobState failed = job.failed(error, now);
                publisher.job(failed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                jobs.wrote(failed);
            }
            log.warn("request {} was dead-lettered after {} attempt(s); its client is told it failed", record.key(), attempts);
        } catch (Exception e) {
            throw new IllegalStateException("cannot report dead-lettered request " + record.key() + ": " + e.getMessage(), e);
        }
    }

    private static JobState fromRequest(ConsumerRecord<String, byte[]> record, long now) {
        if (record.value() == null) return null;
        try {
            GenerationRequest request = Json.read(record.value(), GenerationRequest.class);
            return request.job() ? JobState.queued(request, now, 0) : null;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
