package io.genway.diffusion.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one pool every op splits its work over: as many threads as cores (system property
 * {@code genway.diffusion.threads} overrides). Work already running inside the pool runs its parts inline, so an op
 * called from a parallel op (a GEMM inside an attention head) never waits on a pool it is itself occupying.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("genway.diffusion.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} for 0 ≤ i < count, on the pool's threads; returns when every part has. */
    public static void forEach(int count, IntConsumer body) {
        if (count <= 1 || THREADS == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        POOL.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                List<RecursiveAction> parts = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    int part = i;
                    parts.add(new RecursiveAction() {
                        @Override
                        protected void compute() {
                            body.accept(part);
                        }
                    });
                }
                invokeAll(parts);
            }
        });
    }
}
