package io.genway.worker;

import io.genway.schemas.Cancel;
import io.genway.schemas.Json;
import io.genway.worker.engine.CancelToken;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code control} topic from its beginning (it is short-lived: a day's cancels) and keeps which
 * requests are cancelled, so that a running request stops within one step and a queued one is skipped when a
 * lane fetches it, however long after its cancel that is. One thread owns the consumer.
 */
final class CancelListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CancelListener.class);
    private static final Duration REMEMBER = Duration.ofDays(1);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Map<String, Long> cancelledAt = new ConcurrentHashMap<>();
    private final Map<String, CancelToken> running = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;

    CancelListener(String bootstrapServers, String topic, Map<String, String> extra, String clientId) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.thread = Thread.ofPlatform().name(clientId).daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Waits until cancels published before the worker started are known, so none is missed at start. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isCancelled(String requestId) {
        return cancelledAt.containsKey(requestId);
    }

    /** Ties a running request to its token; a cancel that arrives (or arrived) for it cancels the token. */
    void track(String requestId, CancelToken token) {
        running.put(requestId, token);
        if (cancelledAt.containsKey(requestId)) token.cancel("cancelled");
    }

    void untrack(String requestId) {
        running.remove(requestId);
    }

    private void loop() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long lastSweep = System.currentTimeMillis();
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) continue;
                    Cancel cancel = Json.read(record.value(), Cancel.class);
                    cancelledAt.put(cancel.requestId(), record.timestamp());
                    CancelToken token = running.get(cancel.requestId());
                    if (token != null) token.cancel(cancel.reason());
                }
                if (caughtUp.getCount() > 0 && partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    caughtUp.countDown();
                }
                long now = System.currentTimeMillis();
                if (now - lastSweep > 60_000) {
                    cancelledAt.values().removeIf(at -> now - at > REMEMBER.toMillis());
                    lastSweep = now;
                }
            }
        } catch (WakeupException e) {
            if (!closed) log.error("control listener woken unexpectedly", e);
        } catch (RuntimeException e) {
            if (!closed) log.error("control listener stopped: cancels will not reach this worker", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
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
