package io.genway.worker;

import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Json;
import io.genway.worker.engine.Engine;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request slot of a worker: a share-group member that holds at most one request at a time.
 *
 * <p>Why one consumer per slot: in explicit acknowledgement mode a share consumer may not poll again until every
 * record of its last poll is acknowledged, and a request stays unacknowledged until its terminal event is durable
 * (that is the lease a crash gives back). A lane therefore fetches one request, runs it, acknowledges it, and only
 * then fetches the next, while the worker's other lanes keep the engine's batch full.
 */
final class Lane implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Lane.class);

    interface Host {
        Engine engine();

        CancelListener cancels();

        EventWriter writer();

        ProfileMeter profile();

        InstantSource clock();

        void busy(int delta);

        boolean stopping();
    }

    private final KafkaShareConsumer<String, byte[]> consumer;
    private final Host host;
    private final String workerId;
    private final int deliveryLimit;
    private volatile RequestRun current;

    Lane(WorkerSettings settings, String clientId, int deliveryLimit, Host host) {
        Map<String, Object> props = new HashMap<>(settings.kafka());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.topics().poolGroup(settings.pool().name()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put("share.acknowledgement.mode", "explicit");
        props.put("share.acquire.mode", "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.getInteger("genway.lane.fetchWaitMs", 100));
        this.consumer = new KafkaShareConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(settings.topics().requests(settings.pool().name())));
        this.host = host;
        this.workerId = settings.workerId();
        this.deliveryLimit = deliveryLimit;
    }

    @Override
    public void run() {
        try {
            while (!host.stopping()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    consumer.acknowledge(record, handle(record));
                }
                if (!records.isEmpty()) consumer.commitSync(Duration.ofSeconds(30));
            }
        } catch (WakeupException e) {
            // stop() woke the poll: fall through to close, which gives back anything unacknowledged.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!host.stopping()) log.error("lane stopped on an unexpected error; its request goes back to the queue", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private AcknowledgeType handle(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        GenerationRequest request;
        try {
            request = Json.read(record.value(), GenerationRequest.class);
        } catch (RuntimeException e) {
            log.error("unreadable request {} rejected: {}", record.key(), e.getMessage());
            return AcknowledgeType.REJECT;
        }
        int attempt = record.deliveryCount().map(Short::intValue).orElse(1);
        RequestRun run = new RequestRun(request, attempt, deliveryLimit, workerId, host.writer(), host.clock());
        if (host.cancels().isCancelled(request.requestId())) return ack(run.skipCancelled());
        if (request.expiredAt(host.clock().millis())) return ack(run.expire());
        current = run;
        host.cancels().track(request.requestId(), run.cancelToken());
        host.busy(1);
        try {
            return ack(run.run(host.engine(), host.profile()));
        } catch (RequestRun.KafkaWriteException e) {
            log.warn("request {} handed back: {}", request.requestId(), e.getMessage());
            return AcknowledgeType.RELEASE;
        } finally {
            host.busy(-1);
            host.cancels().untrack(request.requestId());
            current = null;
        }
    }

    private static AcknowledgeType ack(RequestRun.Disposition disposition) {
        return disposition == RequestRun.Disposition.ACCEPT ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE;
    }

    /** Stops the running request and gives it back to the queue (the worker's drain ran out). */
    void handBack() {
        RequestRun run = current;
        if (run != null) run.handBack();
    }

    boolean idle() {
        return current == null;
    }

    void wakeup() {
        consumer.wakeup();
    }
}
