package io.genway.worker;

import io.genway.schemas.Heartbeat;
import io.genway.schemas.Json;
import io.genway.schemas.TopicSetup;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineInfo;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of one pool: lanes (share-group members) fetch up to {@code slots} requests from the pool's share group
 * and run them on the engine,
 * a listener follows cancels, and a heartbeat tells gateways the worker's capacity and measured speed.
 *
 * <p>{@link #close()} drains: lanes stop fetching, running requests get {@code drainTimeout} to finish, the rest
 * are handed back to the queue, and a tombstone heartbeat tells gateways the worker left.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** Share-group members per worker: enough that a lane waiting on its batch's last request idles few slots. */
    static final int MAX_LANES = 64;

    private final WorkerSettings settings;
    private final Engine engine;
    private final InstantSource clock;
    private final EventWriter writer;
    private final CancelListener cancels;
    private final ProfileMeter profile;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final ScheduledExecutorService heartbeats;
    private final int slots;
    private final long startedAtMs;
    private volatile boolean stopping;
    private volatile boolean closed;

    private Worker(WorkerSettings settings, Engine engine, InstantSource clock, int deliveryLimit) {
        this.settings = settings;
        this.engine = engine;
        this.clock = clock;
        this.startedAtMs = clock.millis();
        EngineInfo info = engine.info();
        this.slots = settings.slots() > 0 ? settings.slots() : info.slots();
        String id = settings.workerId();
        this.writer = new EventWriter(settings.bootstrapServers(), settings.topics(), settings.pool().name(), settings.kafka(), id + "-events");
        this.cancels = new CancelListener(settings.bootstrapServers(), settings.topics().control(), settings.kafka(), id + "-control");
        this.profile = new ProfileMeter(startedAtMs);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(id + "-heartbeat").daemon().factory());
        Lane.Host host = new Host();
        int laneCount = Math.min(slots, MAX_LANES);
        for (int i = 0; i < laneCount; i++) {
            int capacity = slots / laneCount + (i < slots % laneCount ? 1 : 0);
            lanes.add(new Lane(settings, id + "-lane-" + i, capacity, deliveryLimit, host));
        }
    }

    /**
     * Starts a worker and returns once it knows every cancel published before it started and has told gateways
     * it is alive. Topics must exist ({@link TopicSetup}).
     */
    public static Worker start(WorkerSettings settings, Engine engine, InstantSource clock, TopicSetup.Settings topicSettings) {
        Worker worker = new Worker(settings, engine, clock, topicSettings.deliveryLimit());
        worker.begin();
        return worker;
    }

    public static Worker start(WorkerSettings settings, Engine engine) {
        return start(settings, engine, InstantSource.system(), TopicSetup.Settings.DEFAULT);
    }

    private void begin() {
        cancels.start();
        try {
            if (!cancels.awaitCaughtUp(Duration.ofSeconds(60))) log.warn("cancel history not read within 60 s; starting anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting worker", e);
        }
        for (int i = 0; i < lanes.size(); i++) {
            Thread t = Thread.ofPlatform().name(settings.workerId() + "-lane-" + i).unstarted(lanes.get(i));
            threads.add(t);
            t.start();
        }
        long every = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleAtFixedRate(this::beat, 0, every, TimeUnit.MILLISECONDS);
        log.info("worker {} serving pool {} with {} slots on engine {}", settings.workerId(), settings.pool().name(), slots, engine.info().name());
    }

    public String id() {
        return settings.workerId();
    }

    public int busy() {
        return busy.get();
    }

    public Heartbeat heartbeat() {
        EngineInfo info = engine.info();
        long now = clock.millis();
        return new Heartbeat(settings.workerId(), settings.pool().name(), settings.pool().modality(), info.models(),
                info.name(), slots, busy.get(), stopping, startedAtMs, now, info.kvBytesPerToken(),
                engine.freeMemoryBytes(), profile.snapshot(now), engine.stepMs());
    }

    private void beat() {
        try {
            writer.heartbeat(settings.workerId(), Json.write(heartbeat()));
        } catch (RuntimeException e) {
            log.warn("heartbeat not sent: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        stopping = true;
        beat();
        for (Lane lane : lanes) if (lane.idle()) lane.wakeup();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        for (Thread t : threads) join(t, deadline);
        if (threads.stream().anyMatch(Thread::isAlive)) {
            log.warn("drain timed out: handing {} running requests back to the queue", busy.get());
            lanes.forEach(Lane::handBack);
            long grace = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (Thread t : threads) join(t, grace);
        }
        heartbeats.shutdownNow();
        try {
            writer.heartbeat(settings.workerId(), null).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("leave tombstone not sent: {}", e.getMessage());
        }
        cancels.close();
        writer.close();
        engine.close();
        log.info("worker {} stopped", settings.workerId());
    }

    private static void join(Thread t, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return;
        try {
            t.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Host implements Lane.Host {
        @Override
        public Engine engine() {
            return engine;
        }

        @Override
        public CancelListener cancels() {
            return cancels;
        }

        @Override
        public EventWriter writer() {
            return writer;
        }

        @Override
        public ProfileMeter profile() {
            return profile;
        }

        @Override
        public InstantSource clock() {
            return clock;
        }

        @Override
        public void busy(int delta) {
            busy.addAndGet(delta);
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }
}
