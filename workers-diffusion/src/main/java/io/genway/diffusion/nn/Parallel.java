package io.genway.diffusion.nn;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The one pool every op splits its work over: the calling thread plus {@code threads − 1} helpers, as many as cores
 * (system property {@code genway.diffusion.threads} overrides).
 *
 * <p>The caller works too: parts are claimed from a shared counter by the caller and by whichever helpers have
 * started, so an op never waits for a helper to wake up (a UNet pass is a few hundred small ops, and on a busy
 * machine a wake-up can take longer than the op); it waits only for parts a helper has already claimed. A helper
 * that starts late finds nothing left and returns. Work already running on a helper runs its parts inline, so an
 * op called from a parallel op (a GEMM inside an attention head) never waits on the pool it occupies.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("genway.diffusion.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, THREADS - 1));
    /** Busy-wait rounds before yielding the core while helpers finish their last parts. */
    private static final int SPINS = 1 << 10;

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} for 0 ≤ i < count, on the calling thread and the pool's; returns when every part has. */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 1 || THREADS == 1 || onHelper()) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable claim = () -> {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                try {
                    body.accept(i);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.incrementAndGet();
                }
            }
        };
        for (int h = Math.min(count, THREADS) - 1; h > 0; h--) POOL.execute(claim);
        claim.run();
        for (int spins = 0; done.get() < count; spins++) {
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException runtime) throw runtime;
        if (e instanceof Error error) throw error;
        if (e != null) throw new IllegalStateException(e);
    }

    private static boolean onHelper() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread worker && worker.getPool() == POOL;
    }
}
