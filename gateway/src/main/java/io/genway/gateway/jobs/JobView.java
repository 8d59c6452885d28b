package io.genway.gateway.jobs;

import io.genway.schemas.JobState;
import io.genway.schemas.Json;
import io.genway.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job's latest state, materialized from the compacted {@code jobs} topic with Kafka Streams as a global
 * table: each gateway instance holds all jobs, so any instance answers for any job, and a restarted or added one
 * rebuilds the view from Kafka before it reports ready.
 *
 * <p>The table trails Kafka by milliseconds; states this instance wrote itself are kept briefly on the side so
 * that a client who creates a job and asks for it at once finds it (read your own writes).
 */
public final class JobView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobView.class);
    private static final String STORE = "genway-jobs";
    private static final long OWN_WRITES_MS = 60_000;

    private final KafkaStreams streams;
    private final Map<String, JobState> ownWrites = new ConcurrentHashMap<>();
    private volatile ReadOnlyKeyValueStore<String, byte[]> store;

    private final CountDownLatch running = new CountDownLatch(1);

    public JobView(String bootstrapServers, Topics topics, Map<String, String> extra, String stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.globalTable(topics.jobs(), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(STORE))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        Properties props = new Properties();
        props.putAll(new HashMap<>(extra));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // A global-only topology joins no group; a unique id keeps instances' local state apart.
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.prefix() + "gateway-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir != null ? stateDir : tempDir());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        this.streams = new KafkaStreams(builder.build(), props);
    }

    /** Starts the view and returns once it has caught up with the topic. */
    public void start(Duration timeout) {
        begin();
        awaitCaughtUp(timeout);
    }

    /** Starts rebuilding the view in the background; {@link #awaitCaughtUp} waits for the end. */
    public void begin() {
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) running.countDown();
            if (now == KafkaStreams.State.ERROR) log.error("job view failed: jobs cannot be looked up");
        });
        streams.start();
    }

    /** Returns once the view begun with {@link #begin} has caught up with the topic. */
    public void awaitCaughtUp(Duration timeout) {
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("job view did not catch up with Kafka within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the job view", e);
        }
        store = streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Remembers a state this instance published, until the table has it. */
    public void wrote(JobState state) {
        ownWrites.put(state.jobId(), state);
        if (ownWrites.size() > 10_000) {
            long cutoff = System.currentTimeMillis() - OWN_WRITES_MS;
            ownWrites.values().removeIf(s -> s.updatedAtMs() < cutoff);
        }
    }

    public Optional<JobState> get(String jobId) {
        JobState fromTable = null;
        byte[] bytes = store == null ? null : store.get(jobId);
        if (bytes != null) fromTable = Json.read(bytes, JobState.class);
        JobState own = ownWrites.get(jobId);
        if (own != null && (fromTable == null || fromTable.updatedAtMs() < own.updatedAtMs())) return Optional.of(own);
        if (own != null) ownWrites.remove(jobId);
        return Optional.ofNullable(fromTable);
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("genway-gateway-streams").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
    }


}
