package io.genway.deploy;

import io.genway.broker.EmbeddedKafka;
import io.genway.gateway.Gateway;
import io.genway.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one launcher process runs, closed in the order that loses nothing: the gateway first (it stops accepting
 * and lets open streams end), then the workers together (each drains its running requests or hands them back),
 * the broker last (everyone above still needs it while they drain).
 *
 * <p>Parts are added as they start, so a failed start or a signal during start closes what is already up. A part
 * added after {@link #close()} is closed at once. Thread-safe.
 */
public final class Running implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Running.class);

    private EmbeddedKafka broker;
    private Gateway gateway;
    private final List<Worker> workers = new ArrayList<>();
    private boolean closed;

    synchronized EmbeddedKafka add(EmbeddedKafka started) {
        if (closed) {
            started.close();
            throw new IllegalStateException("stopped while starting");
        }
        broker = started;
        return started;
    }

    synchronized Gateway add(Gateway started) {
        if (closed) {
            started.close();
            throw new IllegalStateException("stopped while starting");
        }
        gateway = started;
        return started;
    }

    synchronized Worker add(Worker started) {
        if (closed) {
            started.close();
            throw new IllegalStateException("stopped while starting");
        }
        workers.add(started);
        return started;
    }

    public synchronized Optional<EmbeddedKafka> broker() {
        return Optional.ofNullable(broker);
    }

    public synchronized Optional<Gateway> gateway() {
        return Optional.ofNullable(gateway);
    }

    public synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    @Override
    public void close() {
        EmbeddedKafka b;
        Gateway g;
        List<Worker> ws;
        synchronized (this) {
            if (closed) return;
            closed = true;
            b = broker;
            g = gateway;
            ws = List.copyOf(workers);
        }
        if (g != null) quietly("gateway", g::close);
        // Workers drain in parallel: a pool's drain timeout is the wait, not the sum over its workers.
        List<Thread> draining = ws.stream()
                .map(w -> Thread.ofPlatform().name("drain-" + w.id()).start(() -> quietly("worker " + w.id(), w::close)))
                .toList();
        for (Thread t : draining) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (b != null) quietly("broker", b::close);
    }

    private static void quietly(String what, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            log.warn("{} did not close cleanly: {}", what, e.toString());
        }
    }
}
