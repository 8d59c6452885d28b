package io.genway.worker;

import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Json;
import io.genway.worker.engine.Engine;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
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
 * A share-group member that fetches up to {@code capacity} requests at once and runs them side by side.
 *
 * <p>Why lanes: in explicit acknowledgement mode a share consumer may not poll again until every record of its
 * last poll is acknowledged, and a request stays unacknowledged until its terminal event is durable (that is the
 * lease a crash gives back). So a lane fetches a batch, acknowledges each request the moment it ends (releasing
 * its lock), and fetches again when the whole batch is done, while the worker's other lanes keep the engine full.
 * One member per slot would be simplest, but hundreds of share-group members swamp a small broker (measured:
 * 512 members on 2 cores starved the controller), so a worker has a few lanes of many slots each.
 */
final class Lane implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Lane.class);

    private record Finished(ConsumerRecord<String, byte[]> record, AcknowledgeType type) {
    }

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
    private final Set<RequestRun> running = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private volatile boolean polling;

    Lane(WorkerSettings settings, String clientId, int capacity, int deliveryLimit, Host host) {
        Map<String, Object> props = new HashMap<>(settings.kafka());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.topics().poolGroup(settings.pool().name()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put("share.acknowledgement.mode", "explicit");
        props.put("share.acquire.mode", "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, capacity);
        // Measured: a new request reaches an idle lane in about the same time (~11 ms here) whatever this wait;
        // it only bounds how often an idle lane asks the broker again.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
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
                polling = true;
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                polling = false;
                int open = 0;
                for (ConsumerRecord<String, byte[]> record : records) {
                    Thread.ofVirtual().name(workerId + "-run-" + record.key()).start(() -> finished.add(new Finished(record, handle(record))));
                    open++;
                }
                // The consumer is this thread's alone: runs report here, and each is acknowledged as it ends.
                for (; open > 0; open--) {
                    Finished done = finished.take();
                    consumer.acknowledge(done.record(), done.type());
                    consumer.commitAsync();
                }
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

    private AcknowledgeType handle(ConsumerRecord<String, byte[]> record) {
        try {
            return runRecord(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AcknowledgeType.RELEASE;
        } catch (RuntimeException e) {
            log.error("request {} handed back after an unexpected error", record.key(), e);
            return AcknowledgeType.RELEASE;
        }
    }

    private AcknowledgeType runRecord(ConsumerRecord<String, byte[]> record) throws InterruptedException {
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
        running.add(run);
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
            running.remove(run);
        }
    }

    private static AcknowledgeType ack(RequestRun.Disposition disposition) {
        return disposition == RequestRun.Disposition.ACCEPT ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE;
    }

    /** Stops the running requests and gives them back to the queue (the worker's drain ran out). */
    void handBack() {
        running.forEach(RequestRun::handBack);
    }

    /** Waiting for requests, holding none: safe to wake. */
    boolean idle() {
        return polling;
    }

    void wakeup() {
        consumer.wakeup();
    }
}
