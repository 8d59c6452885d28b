package io.genway.gateway.kafka;

import io.genway.schemas.ResultRef;
import io.genway.schemas.TopicSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Fetches finished results (claim checks) from the {@code results} topic by partition and offset. Blocking: call
 * it from a worker thread, never an event loop. Keeps a few consumers for reuse and the most recent results in
 * memory, since a client usually fetches a result right after it completes.
 */
public final class ResultReader implements AutoCloseable {
    private static final int CONSUMERS = 4;
    private static final int CACHED = 32;

    private final BlockingQueue<KafkaConsumer<String, byte[]>> idle = new ArrayBlockingQueue<>(CONSUMERS);
    private final Map<String, Object> props = new HashMap<>();
    private final String topic;
    private final Map<String, byte[]> recent = new LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CACHED;
        }
    };

    public ResultReader(String bootstrapServers, String topic, Map<String, String> extra) {
        props.putAll(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-results");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicSetup.MAX_RESULT_BYTES + 64 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, TopicSetup.MAX_RESULT_BYTES + 64 * 1024);
        this.topic = topic;
    }

    /** Every result's bytes, in order; blocking. Fails naming the first result the topic no longer holds. */
    public List<byte[]> readAll(List<ResultRef> refs) {
        List<byte[]> out = new ArrayList<>(refs.size());
        for (ResultRef ref : refs) {
            byte[] bytes = read(ref);
            if (bytes == null) throw new IllegalStateException("result " + ref.key() + " is not stored");
            out.add(bytes);
        }
        return out;
    }

    /** The result's bytes, or null when the topic no longer holds it (compacted away or deleted). */
    public byte[] read(ResultRef ref) {
        String cacheKey = ref.partition() + "@" + ref.offset();
        synchronized (recent) {
            byte[] hit = recent.get(cacheKey);
            if (hit != null) return hit;
        }
        KafkaConsumer<String, byte[]> consumer = idle.poll();
        if (consumer == null) consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            TopicPartition tp = new TopicPartition(topic, ref.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, ref.offset());
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == ref.offset() && ref.key().equals(r.key())) {
                        synchronized (recent) {
                            recent.put(cacheKey, r.value());
                        }
                        return r.value();
                    }
                    if (r.offset() >= ref.offset()) return null;
                }
            }
            return null;
        } finally {
            if (!idle.offer(consumer)) consumer.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        KafkaConsumer<String, byte[]> c;
        while ((c = idle.poll()) != null) c.close(Duration.ofSeconds(1));
    }
}
