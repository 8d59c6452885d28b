package io.genway.worker.engine;

import java.util.concurrent.CopyOnWriteArrayList;

/** Set once when a run must stop; engines poll it every step and may also register a callback. */
public final class CancelToken {
    private volatile String reason;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    public boolean cancelled() {
        return reason != null;
    }

    public String reason() {
        return reason;
    }

    public void cancel(String why) {
        synchronized (this) {
            if (reason != null) return;
            reason = why == null ? "cancelled" : why;
        }
        listeners.forEach(Runnable::run);
    }

    /** Runs {@code action} on cancellation (at once if already cancelled), on the cancelling thread: keep it short. */
    public void onCancel(Runnable action) {
        listeners.add(action);
        if (cancelled() && listeners.remove(action)) action.run();
    }
}
